/// libcurl cannot be set up as the service requires: too old, no https, or an
/// option refused. Raised at start (stopping the service) or for one transfer.
public struct CurlSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
