import Hummingbird

/// Which API route a request is for, read from its method and path:
/// `/api/v1/chatbots/{chatbotID}/contacts[/{external_id}]` and
/// `/api/v1/chatbots/{chatbotID}/custom-attributes[/{name}]`.
struct APITarget: Equatable {
    var route: SimRoute
    var chatbotID: String?
    /// The external id or attribute name at the end of the path.
    var resource: String?

    init(method: HTTPRequest.Method, path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        route = .unknown
        guard segments.count >= 4, segments[0] == "api", segments[1] == "v1", segments[2] == "chatbots" else {
            return
        }
        chatbotID = String(segments[3])
        switch (method, segments.count, segments.count > 4 ? segments[4] : "") {
        case (.post, 5, "contacts"): route = .upsertContacts
        case (.get, 6, "contacts"): route = .getContact
        case (.get, 5, "custom-attributes"): route = .listAttributes
        case (.post, 5, "custom-attributes"): route = .createAttribute
        case (.put, 6, "custom-attributes"): route = .updateAttribute
        default: return
        }
        if segments.count == 6 { resource = String(segments[5]) }
    }
}

extension Request {
    /// The key of an `Authorization: Bearer <key>` header.
    var bearerKey: String? {
        guard let header = headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let key = parts[1].trimmingSpaces()
        return key.isEmpty ? nil : String(key)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var trimmed = self
        while trimmed.last == " " || trimmed.last == "\t" { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
