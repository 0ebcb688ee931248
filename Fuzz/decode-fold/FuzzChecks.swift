import Foundation

// Invariant checks shared by the fuzz target. Encoded JSON is read back with
// Foundation's JSONSerialization: an independent parser, so an escaping or
// number-format bug in JSONWriter cannot hide behind its own reader.

extension DecodeFoldFuzz {
    /// The bytes as a JSON object, after checking they are valid UTF-8.
    static func parsedObject(_ bytes: [UInt8], _ what: String) -> [String: Any] {
        require(String(validating: bytes, as: UTF8.self) != nil, "\(what) is not valid UTF-8")
        let parsed = try? JSONSerialization.jsonObject(with: Data(bytes))
        guard let object = parsed as? [String: Any] else {
            fail("\(what) is not a JSON object: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        return object
    }

    /// A result record (contracts section 3) as read back.
    static func checkResult(
        _ json: [String: Any], externalID: String?, eventIDs: [String], ignored: [String], error: SyncError?
    ) {
        require(sameText(json["schema"], ResultRecord.schema), "ResultRecord schema")
        if let externalID {
            require(sameText(json["external_id"], externalID), "ResultRecord external_id does not round-trip")
        } else {
            require(json["external_id"] is NSNull, "ResultRecord external_id should be null")
        }
        require(sameTexts(json["event_ids"], eventIDs), "ResultRecord event_ids do not round-trip")
        require(sameTexts(json["ignored_attributes"], ignored), "ResultRecord ignored_attributes do not round-trip")
        if let error {
            checkError(json["error"], equals: error, "ResultRecord")
        } else {
            require(json["error"] is NSNull, "ResultRecord error should be null")
        }
    }

    static func checkError(_ json: Any?, equals error: SyncError, _ what: String) {
        let object = json as? [String: Any]
        require(sameText(object?["code"], error.code), "\(what) error code does not round-trip")
        require(sameText(object?["message"], error.message), "\(what) error message does not round-trip")
    }

    /// Byte-for-byte: Swift's `==` on strings is canonical equivalence, which
    /// would hide a normalisation on the way through.
    static func sameText(_ json: Any?, _ text: String) -> Bool {
        guard let decoded = json as? String else { return false }
        return Array(decoded.utf8) == Array(text.utf8)
    }

    static func sameTexts(_ json: Any?, _ texts: [String]) -> Bool {
        guard let decoded = json as? [Any], decoded.count == texts.count else { return false }
        return zip(decoded, texts).allSatisfy { sameText($0, $1) }
    }

    /// A profile field as sent: absent = no key, clear = null, set = the string.
    static func matches(_ json: Any?, _ change: FieldChange<String>) -> Bool {
        switch change {
        case .absent: return json == nil
        case .clear: return json is NSNull
        case .set(let text): return sameText(json, text)
        }
    }

    static func matches(_ json: Any?, _ value: AttributeValue) -> Bool {
        switch value {
        case .null: return json is NSNull
        case .bool(let flag): return (json as? Bool) == flag
        case .number(let number): return doubleValue(json) == number
        case .string(let text): return sameText(json, text)
        }
    }

    /// JSONSerialization on Linux reads some numbers (e.g. `1.2345678901234568e+29`)
    /// as NSDecimalNumber, whose `doubleValue` is not correctly rounded; its
    /// decimal text is exact, so that is converted instead.
    static func doubleValue(_ json: Any?) -> Double? {
        if let decimal = json as? NSDecimalNumber { return Double(decimal.stringValue) }
        return (json as? NSNumber)?.doubleValue
    }
}
