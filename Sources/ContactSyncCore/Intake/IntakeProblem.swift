/// The intake's JSON answers: RFC 9457 problem details for refusals, and the
/// small body of a 202.
public enum IntakeProblem {
    /// An `application/problem+json` body: `type`, `title`, `status`, `detail`,
    /// and `errors` (one per bad event) only when there are any.
    public static func json(
        status: Int, title: String, detail: String, type: String = "about:blank",
        errors: [IntakeBodyRejection.EventError] = []
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + errors.count * 160)
        writer.object { body in
            body.key("type")
            body.string(type)
            body.key("title")
            body.string(title)
            body.key("status")
            body.number(status)
            body.key("detail")
            body.string(detail)
            guard !errors.isEmpty else { return }
            body.key("errors")
            body.array { list in
                for error in errors {
                    list.object { entry in
                        entry.key("index")
                        entry.number(error.index)
                        entry.key("code")
                        entry.string(error.code)
                        entry.key("message")
                        entry.string(error.message)
                    }
                }
            }
        }
        return writer.bytes
    }

    /// The 202 body: `{"accepted":count,"webhook_id":"...","duplicate":false}`.
    /// `duplicate` is true when the id was accepted before and nothing was written again.
    public static func accepted(count: Int, webhookID: String, duplicate: Bool) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + webhookID.utf8.count)
        writer.object { body in
            body.key("accepted")
            body.number(count)
            body.key("webhook_id")
            body.string(webhookID)
            body.key("duplicate")
            body.bool(duplicate)
        }
        return writer.bytes
    }
}
