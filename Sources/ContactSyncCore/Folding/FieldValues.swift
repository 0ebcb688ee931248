/// The winning value of each field a batch touched, for one contact.
///
/// A contact's batch touches a handful of fields (three to six in the store's
/// events), so they live in one small array searched linearly: one allocation
/// per contact and no hashing of attribute names, where a dictionary cost a
/// storage object and a hash per lookup (heaptrack at 2M events: 7.5 MB of
/// fold dictionaries at the peak). Fields keep the order they were first
/// offered in; equality ignores that order, as a dictionary's does.
public struct FieldValues: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: ContactField, value: StampedValue)

    private var entries: [Element] = []

    public init() {}

    public init(dictionaryLiteral elements: (ContactField, StampedValue)...) {
        entries.reserveCapacity(elements.count)
        for (field, value) in elements { self[field] = value }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: LazyMapSequence<[Element], ContactField> { entries.lazy.map(\.key) }

    /// The field's value; setting nil removes the field.
    public subscript(field: ContactField) -> StampedValue? {
        get { index(of: field).map { entries[$0].value } }
        set {
            switch (index(of: field), newValue) {
            case (let index?, let value?): entries[index].value = value
            case (let index?, nil): entries.remove(at: index)
            case (nil, let value?): entries.append((field, value))
            case (nil, nil): break
            }
        }
    }

    /// Changes the field's value in place; false (calling nothing) when the field is not held.
    @discardableResult
    public mutating func modifyValue(of field: ContactField, _ change: (inout StampedValue) -> Void) -> Bool {
        guard let index = index(of: field) else { return false }
        change(&entries[index].value)
        return true
    }

    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    public static func == (lhs: FieldValues, rhs: FieldValues) -> Bool {
        lhs.count == rhs.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }

    private func index(of field: ContactField) -> Int? {
        entries.firstIndex { $0.key == field }
    }
}
