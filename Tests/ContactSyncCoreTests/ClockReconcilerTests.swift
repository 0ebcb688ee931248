import Testing

import ContactSyncCore

@Suite struct ClockReconcilerTests {
    private typealias F = ClockFixture

    private static let stored = F.clocks([
        (.email, F.clock(20, .string("a@x.io"))), (.name, F.clock(20, .string("Ann"))),
        (.lastLoginAt, F.clock(20, .string("t20"))),
    ])

    private func decide(_ update: ContactUpdate, resend: Bool = false) -> ClockDecision {
        ClockReconciler.decide(update, against: Self.stored, resendStored: resend)
    }

    @Test func unknownContactIsSentWhole() {
        let update = F.update("u1", [.email: F.stamped(.string("a@x.io"), 1)])
        let none = ContactClocks()
        #expect(ClockReconciler.decide(update, against: nil, resendStored: false) == .send(update, refusedAsOlder: 0, advanced: none))
        #expect(ClockReconciler.decide(update, against: none, resendStored: false) == .send(update, refusedAsOlder: 0, advanced: none))
    }

    @Test func updateWithoutFieldsIsAlreadyStored() {
        let decision = decide(F.update("u1", [:]))
        #expect(decision == .unchanged(.alreadyStored, refusedAsOlder: 0, advanced: ContactClocks()))
    }

    @Test func olderFieldsAreRefusedAndTheRestIsSent() {
        let update = F.update(
            "u1",
            [
                .email: F.stamped(.string("old@x.io"), 10), .name: F.stamped(.string("Bob"), 30),
                .phone: F.stamped(.string("+1"), 5),  // no clock: sent
            ])
        guard case .send(let kept, let refused, let advanced) = decide(update) else {
            Issue.record("expected a send")
            return
        }
        #expect(kept.fields == [.name: F.stamped(.string("Bob"), 30), .phone: F.stamped(.string("+1"), 5)])
        #expect(refused == 1)
        #expect(advanced.isEmpty)
        #expect(kept.eventIDs == update.eventIDs)
        #expect(kept.sources == update.sources)
        #expect(kept.eventCount == update.eventCount)
    }

    @Test func everythingOlderIsUnchangedAsOlderThanStored() {
        let update = F.update("u1", [.email: F.stamped(.string("x"), 19), .name: F.stamped(.string("Ann"), 20)])
        #expect(decide(update) == .unchanged(.olderThanStored, refusedAsOlder: 1, advanced: ContactClocks()))
        // A forced re-send still refuses what is older.
        let older = F.update("u1", [.email: F.stamped(.string("a@x.io"), 19)])
        #expect(decide(older, resend: true) == .unchanged(.olderThanStored, refusedAsOlder: 1, advanced: ContactClocks()))
    }

    @Test func sameValueAtTheSameTimeIsAlreadyStoredUnlessResent() {
        let update = F.update("u1", [.email: F.stamped(.string("a@x.io"), 20), .name: F.stamped(.string("Ann"), 20)])
        #expect(decide(update) == .unchanged(.alreadyStored, refusedAsOlder: 0, advanced: ContactClocks()))
        #expect(decide(update, resend: true) == .send(update, refusedAsOlder: 0, advanced: ContactClocks()))
    }

    @Test func differentValueAtTheSameTimeIsSent() {
        let update = F.update("u1", [.name: F.stamped(.string("Anne"), 20)])
        #expect(decide(update) == .send(update, refusedAsOlder: 0, advanced: ContactClocks()))
    }

    @Test func sameValueLaterAdvancesTheClockWithoutSending() {
        let update = F.update("u1", [.name: F.stamped(.string("Ann"), 40), .email: F.stamped(.string("b@x.io"), 40)])
        let decision = decide(update)
        let advanced = F.clocks([(.name, F.clock(40, .string("Ann")))])
        var expectedUpdate = update
        expectedUpdate.fields[.name] = nil
        #expect(decision == .send(expectedUpdate, refusedAsOlder: 0, advanced: advanced))
        #expect(decision.advanced == advanced)

        // Once the caller merges the advanced clock, a value from between is older than stored.
        var clocks = Self.stored
        clocks.merge(decision.advanced)
        let between = F.update("u1", [.name: F.stamped(.string("Bea"), 30)])
        #expect(
            ClockReconciler.decide(between, against: clocks, resendStored: false)
                == .unchanged(.olderThanStored, refusedAsOlder: 1, advanced: ContactClocks()))
    }

    @Test func refusedAndAlreadyStoredTogetherReportOlder() {
        let update = F.update("u1", [.email: F.stamped(.string("z"), 1), .lastLoginAt: F.stamped(.string("t20"), 25)])
        let decision = decide(update)
        #expect(
            decision
                == .unchanged(.olderThanStored, refusedAsOlder: 1, advanced: F.clocks([(.lastLoginAt, F.clock(25, .string("t20")))])))
        #expect(decision.refusedAsOlder == 1)
        #expect(UnchangedReason.olderThanStored.rawValue == "older_than_stored")
        #expect(UnchangedReason.alreadyStored.rawValue == "already_stored")
    }

    @Test func comparesDigestsNotTypes() {
        let stored = F.clocks([(.attribute("n"), F.clock(10, .number(1)))])
        let asString = F.update("u1", [.attribute("n"): F.stamped(.string("1"), 10)])
        #expect(ClockReconciler.decide(asString, against: stored, resendStored: false) == .send(asString, refusedAsOlder: 0, advanced: ContactClocks()))
        let negativeZero = F.clocks([(.attribute("n"), F.clock(10, .number(-0.0)))])
        let zero = F.update("u1", [.attribute("n"): F.stamped(.number(0), 10)])
        #expect(
            ClockReconciler.decide(zero, against: negativeZero, resendStored: false)
                == .unchanged(.alreadyStored, refusedAsOlder: 0, advanced: ContactClocks()))
    }

    /// The batch ends on the value the clock names, but held another value at or
    /// after the clock: that one may be in Bookbag without a clock (its sender
    /// died before writing it), so the equal value is sent, not skipped.
    @Test func sameValueIsSentWhenTheBatchHeldAnotherValueSinceTheClock() {
        var latest = F.stamped(.string("a@x.io"), 30)
        latest.divergedAt = F.at(25)
        guard case .send(let kept, _, let advanced) = decide(F.update("u1", [.email: latest])) else {
            Issue.record("expected a send")
            return
        }
        #expect(kept.fields[.email] == latest)
        #expect(advanced.isEmpty)
        // At the clock's own time too: a tie read later wins, so it may have been sent.
        latest.divergedAt = F.at(20)
        #expect(decide(F.update("u1", [.email: latest])) == .send(F.update("u1", [.email: latest]), refusedAsOlder: 0, advanced: ContactClocks()))
    }

    /// The clock's own value at the clock's own time is already stored, whatever
    /// else the batch held at that instant (it was read before, so sent before).
    @Test func theClocksOwnValueAtItsTimeIsAlreadyStoredDespiteAnotherValueThen() {
        var same = F.stamped(.string("a@x.io"), 20)
        same.divergedAt = F.at(20)
        #expect(decide(F.update("u1", [.email: same])) == .unchanged(.alreadyStored, refusedAsOlder: 0, advanced: ContactClocks()))
    }

    /// Another value before the clock was refused by whoever sent the clock's
    /// value, so it cannot be in Bookbag: the equal value is still skipped.
    @Test func anotherValueOlderThanTheClockDoesNotForceASend() {
        var latest = F.stamped(.string("a@x.io"), 30)
        latest.divergedAt = F.at(19)
        let expected = F.clocks([(.email, F.clock(30, .string("a@x.io")))])
        #expect(decide(F.update("u1", [.email: latest])) == .unchanged(.alreadyStored, refusedAsOlder: 0, advanced: expected))
    }
}
