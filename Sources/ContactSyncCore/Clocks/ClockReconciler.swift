/// Decides an update against the clocks of what Bookbag holds, field by field.
public enum ClockReconciler {
    /// For each field of `update` with a stored clock: an older `occurred_at` is
    /// refused; an equal value (same digest) at an equal or newer `occurred_at`
    /// is already stored and dropped, unless `resendStored` (an operator's
    /// forced re-send: such fields are kept; older ones are still refused), or
    /// unless it is newer and the batch also held another value at or after the
    /// stored clock. That value may be in Bookbag without a clock (its sender died between
    /// Bookbag's answer and writing the clocks, and the records are read again),
    /// so the equal value is sent. Fields without a clock are kept. `clocks`
    /// nil: nothing is known.
    public static func decide(_ update: ContactUpdate, against clocks: ContactClocks?, resendStored: Bool)
        -> ClockDecision
    {
        if update.fields.isEmpty { return .unchanged(.alreadyStored, refusedAsOlder: 0, advanced: ContactClocks()) }
        guard let clocks, !clocks.isEmpty else {
            return .send(update, refusedAsOlder: 0, advanced: ContactClocks())
        }
        var kept = update.fields
        var refused = 0
        var advanced = ContactClocks()
        for (field, offered) in update.fields {
            guard let stored = clocks.clock(for: field) else { continue }
            let offeredAt = offered.stamp.occurredAt
            if offeredAt < stored.occurredAt {
                kept[field] = nil
                refused += 1
                continue
            }
            if resendStored { continue }
            let digest = ValueDigest.of(offered.value)
            guard digest == stored.digest else { continue }
            if stored.occurredAt < offeredAt {
                // Another value at or after the clock may be what Bookbag holds. (At
                // the clock's own time the batch's value is the clock's record or a
                // later read of the same instant, which would have been sent after
                // any other value of that instant.)
                if let diverged = offered.divergedAt, !(diverged < stored.occurredAt) { continue }
                advanced.merge(field, FieldClock(occurredAt: offeredAt, digest: digest))
            }
            kept[field] = nil
        }
        if kept.isEmpty {
            return .unchanged(refused > 0 ? .olderThanStored : .alreadyStored, refusedAsOlder: refused, advanced: advanced)
        }
        if kept.count == update.fields.count { return .send(update, refusedAsOlder: 0, advanced: advanced) }
        var trimmed = update
        trimmed.fields = kept
        return .send(trimmed, refusedAsOlder: refused, advanced: advanced)
    }
}
