import Hummingbird

/// The API routes under `/api/v1/chatbots/{chatbotID}/`, as named in `by_route_status` of `GET /_sim/stats`.
enum SimRoute: String, Sendable, Hashable, CaseIterable {
    case upsertContacts = "POST contacts"
    case getContact = "GET contact"
    case listAttributes = "GET custom-attributes"
    case createAttribute = "POST custom-attributes"
    case updateAttribute = "PUT custom-attributes"
    case unknown = "unknown"

    static let prefix: RouterPath = "api/v1/chatbots/:chatbotID"

    /// Below `prefix`; nil for `.unknown`. `:resource` is the external id or attribute name.
    var endpoint: (method: HTTPRequest.Method, path: RouterPath)? {
        switch self {
        case .upsertContacts: (.post, "contacts")
        case .getContact: (.get, "contacts/:resource")
        case .listAttributes: (.get, "custom-attributes")
        case .createAttribute: (.post, "custom-attributes")
        case .updateAttribute: (.put, "custom-attributes/:resource")
        case .unknown: nil
        }
    }

    /// The route the router matched (`endpointPath` of the request context), or `.unknown`.
    init(method: HTTPRequest.Method, endpointPath: String?) {
        self = Self.byEndpoint["\(method) \(endpointPath ?? "")"] ?? .unknown
    }

    private static let byEndpoint: [String: SimRoute] = Dictionary(
        uniqueKeysWithValues: allCases.compactMap { route in
            route.endpoint.map { ("\($0.method) \(prefix.appendingPath($0.path).description)", route) }
        })
}

/// One `by_route_status` key. A status of nil means the connection was dropped.
struct RouteStatus: Hashable, Sendable {
    var route: SimRoute
    var status: Int?

    var label: String {
        "\(route.rawValue) \(status.map(String.init) ?? "dropped")"
    }
}
