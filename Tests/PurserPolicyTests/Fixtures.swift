import Foundation
import PurserKit
import PurserPolicy

/// Parses `2026-11-01T05:30:00Z`-style timestamps for test fixtures.
func instant(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else {
        preconditionFailure("bad fixture timestamp \(text)")
    }
    return date
}

func zone(_ identifier: String) -> TimeZone {
    guard let zone = TimeZone(identifier: identifier) else { preconditionFailure("unknown zone \(identifier)") }
    return zone
}

/// Micros of `units` whole units.
func units(_ units: Int64) -> Int64 { units * Money.microsPerUnit }

/// Counters backed by a dictionary, as the Wallet's counter table would answer.
struct CounterTable {
    var rows: [LimitCounterKey: LimitUsage] = [:]

    func read(_ key: LimitCounterKey) -> LimitUsage { rows[key] ?? .zero }

    /// Applies an allowed decision the way the Wallet does.
    mutating func record(_ decision: Decision, amount: Int64) {
        for key in decision.counterUpdates {
            let usage = rows[key] ?? .zero
            rows[key] = LimitUsage(spent: usage.spent + amount, count: usage.count + 1)
        }
    }
}

extension Decision {
    var denial: Denial? {
        if case .deny(let denial) = self { return denial }
        return nil
    }

    var isAllowed: Bool { denial == nil }
}
