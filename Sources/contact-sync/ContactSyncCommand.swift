import ArgumentParser
import ContactSync
import ContactSyncCore
import FoundationEssentials
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

@main
struct ContactSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact-sync",
        abstract: "Keeps Bookbag contacts in step with the store's customer events in Kafka.",
        discussion: "Every setting is an environment variable and the same-named flag (--kafka-brokers for KAFKA_BROKERS):\n\n"
            + SettingsTable.helpText
            + "\n\nOther KAFKA_* variables become librdkafka properties (KAFKA_SECURITY_PROTOCOL -> security.protocol).",
        subcommands: [Run.self, IntakeCommand.self, Check.self, Clocks.self, ResultsCommand.self, DeadLettersCommand.self],
        defaultSubcommand: Run.self)
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the sync service (the default).")

    @Argument(parsing: .allUnrecognized, help: "Settings as --name value flags; see contact-sync --help.")
    var settings: [String] = []

    func run() async throws {
        let (configuration, logger) = try startUp(settings: settings, label: "contact-sync", scope: .sync)
        for warning in configuration.warnings { logger.warning("\(warning)") }
        if let notice = ConfigurationReader.ignoredVariablesNotice(configuration) { logger.notice("\(notice)") }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.contactSync(registry: registry))

        let fatal = FatalSignal()
        let services: ContactSyncServices
        do {
            services = try buildContactSyncServices(
                configuration: configuration, logger: logger, registry: registry,
                onFatal: { message in fatal.raise(message) })
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        try await ServiceGroup(configuration: groupConfiguration(services.all, fatal: fatal, logger: logger)).run()
        await services.http.shutdown()
        if let message = fatal.message {
            logger.critical("stopped after a fatal error: \(message)")
            throw ExitCode(1)
        }
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the configuration and reach Kafka and Bookbag; one line per check.",
        discussion: "`contact-sync check intake` checks what `contact-sync intake` needs instead: Kafka, the intake's topics and its signing secrets (no Bookbag). `run` with INTAKE_ENABLED=true is checked whole by `contact-sync check`.")

    @Argument(parsing: .allUnrecognized, help: "`intake`, then settings as --name value flags; see contact-sync --help.")
    var settings: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let scope: ConfigurationReader.Scope = settings.first == "intake" ? .intake : .sync
        let flags = scope == .intake ? Array(settings.dropFirst()) : settings
        // A configuration error exits 2, as it does for `run`; the checks below read it again.
        do {
            _ = try ConfigurationReader.read(environment: environment, flags: flags, scope: scope)
        } catch {
            print("FAIL  configuration: \(error)")
            throw ExitCode(2)
        }
        let ok = await ConnectivityCheck.run(environment: environment, flags: flags, scope: scope) {
            print(SecretRedaction.redact($0))
        }
        if !ok { throw ExitCode(1) }
    }
}

struct Clocks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Maintain the local field-clock store (CLOCK_STORE_PATH).",
        subcommands: [Rebuild.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the local clock store and build it again from CLOCK_TOPIC, then exit.",
            discussion: "For a first run on a new disk (the service also does this by itself when the store is missing) and after the service refused to start with an unreadable store. Stop the replica that uses the store first. The changelog is the source of truth: nothing is lost.")

        @Argument(parsing: .allUnrecognized, help: "Settings as --name value flags; see contact-sync --help.")
        var settings: [String] = []

        func run() async throws {
            let (configuration, logger) = try startUp(settings: settings, label: "contact-sync", scope: .sync)
            do {
                let rebuilt = try await ClockMaintenance.rebuild(configuration: configuration, logger: logger)
                print("rebuilt \(configuration.clocks.storePath) from \(configuration.clocks.topic): \(rebuilt.contacts) contacts, \(rebuilt.bytes) bytes, in \(rebuilt.duration)")
            } catch {
                logger.critical("clock store rebuild failed: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Run only the webhook intake: signed POST /v1/events deliveries written to the input topics.",
        discussion: "Needs INTAKE_SIGNING_SECRETS_FILE and the Kafka settings; never reads the Bookbag key. Serves /healthz, /readyz and /metrics on HTTP_PORT. To run the intake inside the sync process instead, set INTAKE_ENABLED=true for `run`.")

    @Argument(parsing: .allUnrecognized, help: "Settings as --name value flags; see contact-sync --help.")
    var settings: [String] = []

    func run() async throws {
        let (configuration, logger) = try startUp(settings: settings, label: "contact-sync-intake", scope: .intake)
        for warning in configuration.warnings { logger.warning("\(warning)") }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.contactSync(registry: registry))
        let services: IntakeProcessServices
        do {
            services = try buildIntakeProcess(configuration: configuration, logger: logger, registry: registry)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        try await ServiceGroup(configuration: groupConfiguration(services.all, logger: logger)).run()
    }
}

/// The allocator's settings first (glibc only), logging next (flags win over variables for LOG_LEVEL and LOG_FORMAT too; a
/// flag error is reported by the configuration reader), then the configuration:
/// an error there exits 2.
func startUp(settings: [String], label: String, scope: ConfigurationReader.Scope) throws -> (ContactSyncConfiguration, Logger) {
    let environment = ProcessInfo.processInfo.environment
    // This binary links jemalloc (configured in CJemalloc); glibc's settings are for a build without it.
    let allocator = Allocator.current
    if allocator.isGlibc {
        // Before any thread allocates: arenas are created per thread.
        AllocatorSettings.apply(environment: environment)
    }
    let flagVariables = (try? ConfigurationReader.flagsAsVariables(settings)) ?? [:]
    let bootstrap = LoggingSetup.bootstrap(environment: environment.merging(flagVariables) { _, flag in flag })
    var logger = Logger(label: label)
    logger.logLevel = bootstrap
    logger.info("allocator: \(allocator)")
    do {
        return (try ConfigurationReader.read(environment: environment, flags: settings, scope: scope), logger)
    } catch {
        logger.critical("configuration error: \(error)")
        throw ExitCode(2)
    }
}

/// Every service's end (success or failure) shuts the group down gracefully, as do SIGTERM and SIGINT.
func groupConfiguration(_ services: [any Service], fatal: FatalSignal? = nil, logger: Logger) -> ServiceGroupConfiguration {
    let ending = services.map {
        ServiceGroupConfiguration.ServiceConfiguration(
            service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
    }
    let watchdog = fatal.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0, failureTerminationBehavior: .gracefullyShutdownGroup)] } ?? []
    return ServiceGroupConfiguration(services: ending + watchdog, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
}
