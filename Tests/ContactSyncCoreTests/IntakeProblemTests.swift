import Foundation
import Testing

@testable import ContactSyncCore

@Suite("IntakeProblem")
struct IntakeProblemTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func aProblemWithoutErrorsHasNoErrorsMember() {
        let body = IntakeProblem.json(status: 401, title: "Unauthorized", detail: "the webhook-id header is missing")
        #expect(
            text(body)
                == #"{"type":"about:blank","title":"Unauthorized","status":401,"detail":"the webhook-id header is missing"}"#)
    }

    @Test func aProblemListsEventErrorsInOrder() throws {
        let errors = [
            IntakeBodyRejection.EventError(index: 1, code: "invalid_external_id", message: "field 'external_id' must match \"x\""),
            IntakeBodyRejection.EventError(index: 3, code: "missing_field", message: "missing required field 'type'"),
        ]
        let body = IntakeProblem.json(
            status: 400, title: "Bad Request", detail: "2 of 5 events are invalid",
            type: "https://contact-sync.local/problems/invalid-events", errors: errors)
        #expect(
            text(body)
                == #"{"type":"https://contact-sync.local/problems/invalid-events","title":"Bad Request","status":400,"#
                + #""detail":"2 of 5 events are invalid","errors":[{"index":1,"code":"invalid_external_id","#
                + #""message":"field 'external_id' must match \"x\""},{"index":3,"code":"missing_field","#
                + #""message":"missing required field 'type'"}]}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["status"] as? Int == 400)
        #expect((object["errors"] as? [[String: Any]])?.map { $0["index"] as? Int } == [1, 3])
    }

    /// The 401 example in schemas/examples/valid/problem is exactly what the writer produces.
    @Test func theSchemaExampleIsWhatIsWritten() throws {
        let file = try #require(try SchemaExamples.files("valid/problem").first { $0.name == "401-no-matching-signature.json" })
        let written = IntakeProblem.json(
            status: 401, title: "Unauthorized", detail: WebhookRejection.noMatchingSignature.message)
        #expect(written + [0x0A] == file.bytes)
    }

    @Test func textIsEscaped() throws {
        let body = IntakeProblem.json(status: 413, title: "Content Too Large", detail: "quote \" backslash \\ newline \n tab \t nul \u{0}")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["detail"] as? String == "quote \" backslash \\ newline \n tab \t nul \u{0}")
    }

    @Test func theAcceptedBody() {
        #expect(text(IntakeProblem.accepted(count: 3, webhookID: "msg_p5jXN8AQM9LWM0D4loKWxJek", duplicate: false))
            == #"{"accepted":3,"webhook_id":"msg_p5jXN8AQM9LWM0D4loKWxJek","duplicate":false}"#)
        #expect(text(IntakeProblem.accepted(count: 1, webhookID: #"a"b"#, duplicate: true))
            == #"{"accepted":1,"webhook_id":"a\"b","duplicate":true}"#)
    }
}
