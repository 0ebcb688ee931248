import ContactSyncCore

extension ContactSyncConfiguration {
    /// The webhook intake (contracts section 5): `POST /v1/events` on its own
    /// listener, run by `contact-sync intake` or, with `enabled`, inside `run`.
    public struct Intake: Sendable {
        /// INTAKE_ENABLED: `run` serves the intake too (the `intake` subcommand always does).
        public var enabled = false
        /// Loopback unless told otherwise, like the ops endpoint.
        public var host = "127.0.0.1"
        public var port = 8081
        /// INTAKE_SIGNING_SECRETS_FILE: `whsec_…` secrets, one per line (several for rotation).
        public var secretsFile: String?
        public var secrets: [WebhookSecret] = []
        /// How far `webhook-timestamp` may be from now, either way.
        public var timestampTolerance: Duration = .seconds(300)
        public var maxBatchEvents = 500
        public var maxBodyBytes = 1 << 20
        /// How long the broker has to acknowledge a request's records before the answer is 503.
        public var produceTimeout: Duration = .seconds(10)
        /// Request bytes held at once (read, validated or being written); past it, 503.
        public var maxInFlightBytes = 16 << 20
        /// How long a sender has to deliver the whole body (slow senders get 408).
        public var readTimeout: Duration = .seconds(10)
        /// A keep-alive connection idle this long is closed.
        public var idleTimeout: Duration = .seconds(60)
        /// Where each event type goes (contracts section 1's topics by default).
        public var profileTopic = "store.customer.profile-changed"
        public var loginTopic = "store.customer.login"
        /// Redelivered `webhook-id`s answered without producing again.
        public var rememberedIDs = 100_000
        public init() {}

        public func topic(for kind: StoreEvent.Kind) -> String {
            switch kind {
            case .profileChanged: profileTopic
            case .login: loginTopic
            }
        }
    }
}
