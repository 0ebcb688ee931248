@testable import LoopbackHTTP
import Testing

/// The tests' own HTTP client reads answers as they arrive, in pieces: an
/// answer is whole only when its length or its last chunk says so.
struct LoopbackHTTPParserTests {
    @Test
    func contentLengthAnswerIsWholeOnlyWithItsLastByte() throws {
        let answer = Array("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 5\r\n\r\nhello".utf8)
        for cut in 0..<answer.count {
            #expect(try LoopbackAnswerParser.parse(Array(answer[..<cut]), atEnd: false) == nil, "cut at \(cut)")
        }
        let parsed = try #require(try LoopbackAnswerParser.parse(answer, atEnd: false))
        #expect(parsed.status == 429)
        #expect(parsed.headers["retry-after"] == "1", "names are lowercased")
        #expect(parsed.body == Array("hello".utf8))
        #expect(throws: LoopbackHTTPError.self) { try LoopbackAnswerParser.parse(Array(answer.dropLast()), atEnd: true) }
    }

    @Test
    func chunkedAnswerIsJoined() throws {
        let answer = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\na;x=y\r\n0123456789\r\n0\r\n\r\n".utf8)
        #expect(try LoopbackAnswerParser.parse(Array(answer.dropLast(2)), atEnd: false) == nil)
        let parsed = try #require(try LoopbackAnswerParser.parse(answer, atEnd: false))
        #expect(String(decoding: parsed.body, as: UTF8.self) == "abcd0123456789")
    }

    @Test
    func answerWithoutLengthEndsWithTheConnection() throws {
        let answer = Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end".utf8)
        #expect(try LoopbackAnswerParser.parse(answer, atEnd: false) == nil)
        #expect(try LoopbackAnswerParser.parse(answer, atEnd: true)?.body == Array("until the end".utf8))
        #expect(try LoopbackAnswerParser.parse([], atEnd: true) == nil, "nothing came: no answer")
        #expect(throws: LoopbackHTTPError.self) { try LoopbackAnswerParser.parse(Array("SMTP ready\r\n\r\n".utf8), atEnd: true) }
    }
}
