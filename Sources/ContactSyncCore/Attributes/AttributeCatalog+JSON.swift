/// The custom-attributes list could not be read.
public enum AttributeListError: Error, Equatable {
    case notJSON
    /// Neither `{"data": [...]}` nor a bare array of objects with a `name`.
    case unexpectedShape
}

extension AttributeCatalog {
    /// Parses `GET .../custom-attributes`: `{"message", "data": [{name, type,
    /// label, archived}]}` or a bare array (contracts section 2). A missing
    /// `type` is Bookbag's default, `text`. An entry with a type this service
    /// does not know is skipped: it cannot be used, and nothing is guessed.
    public static func parseList(_ body: [UInt8]) throws -> [AttributeDefinition] {
        let root: JSONValue
        do {
            root = try JSONValue.parse(body)
        } catch {
            throw AttributeListError.notJSON
        }
        guard let items = root.arrayValue ?? root.objectValue?["data"]?.arrayValue else {
            throw AttributeListError.unexpectedShape
        }
        var definitions: [AttributeDefinition] = []
        definitions.reserveCapacity(items.count)
        for item in items {
            guard let object = item.objectValue, let name = object["name"]?.stringValue else {
                throw AttributeListError.unexpectedShape
            }
            let typeName = object["type"]?.stringValue ?? AttributeType.text.rawValue
            guard let type = AttributeType(rawValue: typeName) else { continue }
            let archived = object["archived"]?.boolValue ?? false
            definitions.append(AttributeDefinition(name: name, type: type, archived: archived))
        }
        return definitions
    }

    /// `POST .../custom-attributes` body: `{"name":..,"type":..,"label":..}`,
    /// with the name as label.
    public static func createRequestBody(for def: AttributeDefinition) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2 * def.name.utf8.count + 48)
        out.append(contentsOf: #"{"name":"#.utf8)
        appendJSONString(def.name, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        appendJSONString(def.type.rawValue, to: &out)
        out.append(contentsOf: #","label":"#.utf8)
        appendJSONString(def.name, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Valid names need no escaping; escaping anyway keeps any name valid JSON.
    private static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
