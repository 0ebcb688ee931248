import ArgumentParser
import ContactSync
import ContactSyncCore
import Foundation
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
            + ConfigurationReader.settings.map { "  \($0.name)\n      \($0.help)" }.joined(separator: "\n")
            + "\n\nOther KAFKA_* variables become librdkafka properties (KAFKA_SECURITY_PROTOCOL -> security.protocol).",
        subcommands: [Run.self, Check.self, Clocks.self],
        defaultSubcommand: Run.self)
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the sync service (the default).")

    @Argument(parsing: .allUnrecognized, help: "Settings as --name value flags; see contact-sync --help.")
    var settings: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        // Flags win over variables for logging too (LOG_LEVEL, LOG_FORMAT); a flag
        // error is reported by the configuration reader just below.
        let flagVariables = (try? ConfigurationReader.flagsAsVariables(settings)) ?? [:]
        let bootstrap = LoggingSetup.bootstrap(environment: environment.merging(flagVariables) { _, flag in flag })
        var logger = Logger(label: "contact-sync")
        logger.logLevel = bootstrap
        let configuration: ContactSyncConfiguration
        do {
            configuration = try ConfigurationReader.read(environment: environment, flags: settings)
        } catch {
            logger.critical("configuration error: \(error)")
            throw ExitCode(2)
        }
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
        let group = ServiceGroup(
            configuration: .init(
                services: services.all.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup) }
                    + [.init(service: fatal, failureTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        await services.http.shutdown()
        if let message = fatal.message {
            logger.critical("stopped after a fatal error: \(message)")
            throw ExitCode(1)
        }
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the configuration and reach Kafka and Bookbag; one line per check.")

    @Argument(parsing: .allUnrecognized, help: "Settings as --name value flags; see contact-sync --help.")
    var settings: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        // A configuration error exits 2, as it does for `run`; the checks below read it again.
        do {
            _ = try ConfigurationReader.read(environment: environment, flags: settings)
        } catch {
            print("FAIL  configuration: \(error)")
            throw ExitCode(2)
        }
        let ok = await ConnectivityCheck.run(environment: environment, flags: settings) { print(SecretRedaction.redact($0)) }
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
            let environment = ProcessInfo.processInfo.environment
            let flagVariables = (try? ConfigurationReader.flagsAsVariables(settings)) ?? [:]
            let bootstrap = LoggingSetup.bootstrap(environment: environment.merging(flagVariables) { _, flag in flag })
            var logger = Logger(label: "contact-sync")
            logger.logLevel = bootstrap
            let configuration: ContactSyncConfiguration
            do {
                configuration = try ConfigurationReader.read(environment: environment, flags: settings)
            } catch {
                logger.critical("configuration error: \(error)")
                throw ExitCode(2)
            }
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
