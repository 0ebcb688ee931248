import ContactSync
import ContactSyncCore
import Foundation
import Testing

/// Hostile or unlucky configuration: key files that are not what they seem,
/// keys that would inject headers, secrets on the command line, Kubernetes
/// service links, and where the ops endpoint listens.
@Suite struct ConfigurationHardeningTests {
    private let base = ["BOOKBAG_CHATBOT_ID": "123"]

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    }

    private func keyFile(_ contents: String, mode: Int = 0o600) throws -> String {
        let path = temporaryPath("key")
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode_t(mode))
        return path
    }

    private func errorText(_ environment: [String: String], flags: [String] = []) -> String? {
        do {
            _ = try ConfigurationReader.read(environment: environment, flags: flags)
            return nil
        } catch {
            return "\(error)"
        }
    }

    // MARK: key file

    @Test func aKeyFileBehindAKubernetesStyleSymlinkIsRead() throws {
        // A mounted secret: key -> ..data/key -> ..2026_11_30/key.
        let directory = temporaryPath("secret")
        try FileManager.default.createDirectory(atPath: directory + "/..2026_11_30", withIntermediateDirectories: true)
        try "oc_mounted_key_1234567890\n".write(toFile: directory + "/..2026_11_30/key", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/..data", withDestinationPath: "..2026_11_30")
        try FileManager.default.createSymbolicLink(atPath: directory + "/key", withDestinationPath: "..data/key")
        let configuration = try ConfigurationReader.read(environment: base.merging(["BOOKBAG_API_KEY_FILE": directory + "/key"]) { $1 })
        #expect(configuration.bookbag.apiKey.secret == "oc_mounted_key_1234567890")
    }

    @Test func aKeyFileLargerThanTheCapIsRefused() throws {
        let path = try keyFile(String(repeating: "k", count: 5000))
        let error = errorText(base.merging(["BOOKBAG_API_KEY_FILE": path]) { $1 })
        #expect(error?.contains("larger than") == true, "got: \(error ?? "accepted")")
    }

    @Test func aKeyFileThatIsNotARegularFileIsRefusedWithoutBlocking() async throws {
        let fifo = temporaryPath("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let environment = base.merging(["BOOKBAG_API_KEY_FILE": fifo]) { $1 }
        let reader = Task.detached { [self] in errorText(environment) }
        // Were the reader stuck opening the FIFO, a writer releases it (then it reads an empty file).
        try await Task.sleep(for: .seconds(1))
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        if writer >= 0 { close(writer) }
        let error = await reader.value
        #expect(error?.contains("not a regular file") == true, "got: \(error ?? "accepted")")
        #expect(writer < 0, "the reader was still waiting on the FIFO")

        let directory = temporaryPath("dir")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(errorText(base.merging(["BOOKBAG_API_KEY_FILE": directory]) { $1 })?.contains("not a regular file") == true)
    }

    @Test func otherSettingsFilesAreReadTheSameWay() {
        let keyed = base.merging(["BOOKBAG_API_KEY": "oc_env_key_123456"]) { $1 }
        for setting in ["KAFKA_PROPERTIES_FILE", "ATTRIBUTES_FILE"] {
            let error = errorText(keyed.merging([setting: "/dev/zero"]) { $1 })
            #expect(error?.contains("\(setting): /dev/zero is not a regular file") == true, "got: \(error ?? "accepted")")
        }
    }

    @Test func anAttributesFileWithSeveralMistakesNamesTheSameOneEveryTime() throws {
        // Found by the config fuzz target: the error followed the dictionary's order.
        let path = temporaryPath("attributes")
        try #"{"plan": "tdxt", "score": "numbes", "alpha": "lots", "zeta": 3, "mid": "strng"}"#
            .write(toFile: path, atomically: false, encoding: .utf8)
        let keyed = base.merging(["BOOKBAG_API_KEY": "oc_env_key_123456", "ATTRIBUTES_FILE": path]) { $1 }
        let errors = Set((0..<20).map { _ in errorText(keyed) ?? "accepted" })
        #expect(errors == ["ATTRIBUTES_FILE: type of 'alpha' must be text, number, boolean or date"])
    }

    @Test(arguments: ["oc_key\r\nX-Injected: 1", "oc_key\u{0}tail", "oc_\u{7F}key", "oc key with spaces"])
    func aKeyWithControlCharactersOrSpacesIsRefused(_ key: String) throws {
        let fromFile = errorText(base.merging(["BOOKBAG_API_KEY_FILE": try keyFile(key)]) { $1 })
        #expect(fromFile?.contains("control character") == true, "file: got \(fromFile ?? "accepted")")
        let fromEnvironment = errorText(base.merging(["BOOKBAG_API_KEY": key]) { $1 })
        #expect(fromEnvironment?.contains("control character") == true, "env: got \(fromEnvironment ?? "accepted")")
        #expect(fromFile?.contains("X-Injected") != true && fromEnvironment?.contains("tail") != true, "the key is not shown")
    }

    @Test func surroundingWhitespaceAndTheFinalNewlineAreTrimmed() throws {
        let configuration = try ConfigurationReader.read(
            environment: base.merging(["BOOKBAG_API_KEY_FILE": try keyFile("  oc_trimmed_key_123\r\n")]) { $1 })
        #expect(configuration.bookbag.apiKey.secret == "oc_trimmed_key_123")
    }

    @Test func warningsAboutTheKeyFileComeFromTheSameRead() throws {
        let shared = try ConfigurationReader.read(environment: base.merging(["BOOKBAG_API_KEY_FILE": try keyFile("oc_k_123456", mode: 0o640)]) { $1 })
        #expect(shared.warnings == ["BOOKBAG_API_KEY_FILE can be read by group or others; chmod 600 it"])
        let private_ = try ConfigurationReader.read(environment: base.merging(["BOOKBAG_API_KEY_FILE": try keyFile("oc_k_123456")]) { $1 })
        #expect(private_.warnings.isEmpty)
    }

    @Test(.enabled(if: geteuid() == 0, "only root can give a file to another user"))
    func aKeyFileOwnedByAnotherUserIsWarnedAbout() throws {
        let path = try keyFile("oc_k_123456")
        #expect(chown(path, 4242, 4242) == 0)
        let configuration = try ConfigurationReader.read(environment: base.merging(["BOOKBAG_API_KEY_FILE": path]) { $1 })
        #expect(configuration.warnings == ["BOOKBAG_API_KEY_FILE belongs to another user (uid 4242); it should belong to root or to the service's user"])
    }

    // MARK: secrets on the command line

    @Test(arguments: [
        ["--bookbag-api-key", "Zq9-flag-secret"], ["--bookbag-api-key=Zq9-flag-secret"],
        ["--kafka-sasl-password", "Zq9-flag-secret"], ["--KAFKA_SSL_KEY_PASSWORD=Zq9-flag-secret"],
        ["--kafka-ssl-keystore-password", "Zq9-flag-secret"], ["--kafka-sasl-oauthbearer-client-secret", "Zq9-flag-secret"],
    ])
    func aSecretGivenAsAFlagIsRefusedWithoutShowingIt(_ flags: [String]) {
        let environment = base.merging(["BOOKBAG_API_KEY": "oc_env_key_123456"]) { $1 }
        let error = errorText(environment, flags: flags)
        #expect(error?.contains("command line") == true, "got: \(error ?? "accepted")")
        #expect(error?.contains("environment") == true)
        #expect(error?.contains("Zq9-flag-secret") != true)
    }

    @Test func aMistypedFlagIsRefusedByName() throws {
        let error = errorText(base, flags: ["--batch-max-event", "5000"])
        #expect(error?.contains("unknown flag --batch-max-event") == true, "got: \(error ?? "accepted")")
        let key = try keyFile("oc_file_key_123456")
        let spelledRight = try ConfigurationReader.read(
            environment: base, flags: ["--bookbag-api-key-file", key, "--batch-max-events", "5000"])
        #expect(spelledRight.batching.maxEvents == 5000)
    }

    @Test func settingsThatOnlyNameASecretFileAreFineAsFlags() throws {
        let path = try keyFile("oc_file_key_123456")
        let configuration = try ConfigurationReader.read(environment: base, flags: ["--bookbag-api-key-file", path])
        #expect(configuration.bookbag.apiKey.secret == "oc_file_key_123456")
    }

    // MARK: Kubernetes service links

    static let serviceLinks = [
        "KAFKA_PORT": "tcp://10.0.0.1:9092",
        "KAFKA_PORT_9092_TCP": "tcp://10.0.0.1:9092",
        "KAFKA_PORT_9092_TCP_ADDR": "10.0.0.1",
        "KAFKA_PORT_9092_TCP_PORT": "9092",
        "KAFKA_PORT_9092_TCP_PROTO": "tcp",
        "KAFKA_SERVICE_HOST": "10.0.0.1",
        "KAFKA_SERVICE_PORT": "9092",
        "KAFKA_SERVICE_PORT_CLIENT": "9092",
        "KAFKA_HEADLESS_SERVICE_HOST": "10.0.0.2",
        "KAFKA_HEADLESS_PORT_9093_UDP_ADDR": "10.0.0.2",
    ]

    @Test func kubernetesServiceLinksAreNotLibrdkafkaProperties() throws {
        let environment = base.merging(["BOOKBAG_API_KEY": "oc_env_key_123456", "KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"]) { $1 }
            .merging(Self.serviceLinks) { $1 }
        let configuration = try ConfigurationReader.read(environment: environment)
        #expect(configuration.kafka.passthrough == ["security.protocol": "PLAINTEXT"])
        #expect(configuration.ignoredVariables == Self.serviceLinks.keys.sorted())
    }

    @Test(arguments: ["KAFKA_SASL_KERBEROS_SERVICE_NAME", "KAFKA_PORTS", "KAFKA_PORT_X_TCP", "KAFKA_PORT_9092_HTTP", "KAFKA_PORT_9092_TCP_HOST", "KAFKA__PORT", "KAFKA_SERVICE_HOSTS"])
    func lookAlikesOfServiceLinksStillPassThrough(_ name: String) throws {
        let environment = base.merging(["BOOKBAG_API_KEY": "oc_env_key_123456", name: "x"]) { $1 }
        let configuration = try ConfigurationReader.read(environment: environment)
        #expect(configuration.ignoredVariables.isEmpty)
        #expect(configuration.kafka.passthrough.count == 1)
    }

    // MARK: ops listener

    @Test func theOpsEndpointListensOnLoopbackUnlessToldOtherwise() throws {
        let environment = base.merging(["BOOKBAG_API_KEY": "oc_env_key_123456"]) { $1 }
        #expect(try ConfigurationReader.read(environment: environment).httpHost == "127.0.0.1")
        #expect(try ConfigurationReader.read(environment: environment.merging(["HTTP_HOST": "0.0.0.0"]) { $1 }).httpHost == "0.0.0.0")
    }
}
