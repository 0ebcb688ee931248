import ContactSyncCore
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The ops endpoint: `/healthz` (liveness), `/readyz` (readiness) and
/// `/metrics` (Prometheus text). Read-only: nothing here changes state.
public enum OpsServer {
    public static func make(
        host: String, port: Int, notReadyReasons: @escaping @Sendable () -> [String],
        registry: PrometheusCollectorRegistry, logger: Logger,
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) -> some Service {
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let reasons = notReadyReasons()
            let body = SecretRedaction.redact(reasons.isEmpty ? "ready\n" : "not ready: \(reasons.joined(separator: "; "))\n")
            return Response(
                status: reasons.isEmpty ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: SecretRedaction.redact(bytes: buffer))))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "contact-sync"),
            onServerRunning: { channel in await onListening?(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
