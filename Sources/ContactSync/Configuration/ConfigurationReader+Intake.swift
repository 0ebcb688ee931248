import ContactSyncCore
import FoundationEssentials

extension ConfigurationReader {
    /// The intake's settings. Its secrets are read (and checked) only when it
    /// will run: as `contact-sync intake`, or inside `run` with INTAKE_ENABLED.
    static func readIntake(_ values: SettingValues, scope: Scope, into config: inout ContactSyncConfiguration) throws {
        var intake = config.intake
        if let v = try values.boolean("INTAKE_ENABLED") { intake.enabled = v }
        if let v = values.string("INTAKE_HOST") { intake.host = v }
        if let v = try values.integer("INTAKE_PORT", 0...65535) { intake.port = v }
        if let v = try values.milliseconds("INTAKE_TIMESTAMP_TOLERANCE_MS", 1_000...3_600_000) { intake.timestampTolerance = v }
        if let v = try values.integer("INTAKE_MAX_BATCH", 1...10_000) { intake.maxBatchEvents = v }
        if let v = try values.integer("INTAKE_MAX_BODY_BYTES", 64...(64 << 20)) { intake.maxBodyBytes = v }
        if let v = try values.milliseconds("INTAKE_PRODUCE_TIMEOUT_MS", 100...600_000) { intake.produceTimeout = v }
        if let v = try values.integer("INTAKE_MAX_IN_FLIGHT_BYTES", 1024...(1 << 30)) { intake.maxInFlightBytes = v }
        if let v = try values.milliseconds("INTAKE_READ_TIMEOUT_MS", 100...600_000) { intake.readTimeout = v }
        if let v = values.string("INTAKE_PROFILE_TOPIC") { intake.profileTopic = v }
        if let v = values.string("INTAKE_LOGIN_TOPIC") { intake.loginTopic = v }
        guard intake.maxInFlightBytes >= intake.maxBodyBytes else {
            throw ConfigurationError(
                description: "INTAKE_MAX_IN_FLIGHT_BYTES (\(intake.maxInFlightBytes)) must be at least INTAKE_MAX_BODY_BYTES (\(intake.maxBodyBytes))")
        }
        intake.secretsFile = values.string("INTAKE_SIGNING_SECRETS_FILE")
        if scope == .intake || (scope == .sync && intake.enabled) {
            guard let path = intake.secretsFile else {
                throw ConfigurationError(description: "INTAKE_SIGNING_SECRETS_FILE is required when the webhook intake runs")
            }
            let file = try KeyFile.load(path, setting: "INTAKE_SIGNING_SECRETS_FILE")
            config.warnings += file.warnings
            do {
                intake.secrets = try WebhookSecretsFile.parse(file.text)
            } catch {
                throw ConfigurationError(description: "INTAKE_SIGNING_SECRETS_FILE: \(error)")
            }
        }
        config.intake = intake
    }
}
