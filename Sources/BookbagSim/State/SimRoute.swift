/// The API routes, as named in `by_route_status` of `GET /_sim/stats`.
enum SimRoute: String, Sendable, Hashable {
    case upsertContacts = "POST contacts"
    case getContact = "GET contact"
    case listAttributes = "GET custom-attributes"
    case createAttribute = "POST custom-attributes"
    case updateAttribute = "PUT custom-attributes"
    case unknown = "unknown"
}

/// One `by_route_status` key. A status of nil means the connection was dropped.
struct RouteStatus: Hashable, Sendable {
    var route: SimRoute
    var status: Int?

    var label: String {
        "\(route.rawValue) \(status.map(String.init) ?? "dropped")"
    }
}
