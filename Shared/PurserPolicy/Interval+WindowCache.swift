import Foundation
import Synchronization

extension Interval {
    /// The window containing `date` and its key, as `window(containing:timeZone:)`
    /// and `windowKey(containing:timeZone:taskID:)` compute them, reusing the
    /// last window computed for this interval and zone while `date` falls inside
    /// it. Exact, because two instants share a key exactly when they fall in
    /// the same window; it only saves the calendar arithmetic (several
    /// microseconds per interval) on every evaluation but the first of a window.
    public func cachedWindow(containing date: Date, timeZone: TimeZone, taskID: String? = nil)
        -> (window: DateInterval?, key: String?)
    {
        switch self {
        case .perTask, .lifetime:
            return (nil, windowKey(containing: date, timeZone: timeZone, taskID: taskID))
        case .hourly, .daily, .weekly, .monthly:
            if let known = WindowCache.shared.window(self, containing: date, timeZone: timeZone) { return known }
            let window = window(containing: date, timeZone: timeZone)
            let key = windowKey(containing: date, timeZone: timeZone)
            if let window, let key { WindowCache.shared.remember(self, timeZone: timeZone, window: window, key: key) }
            return (window, key)
        }
    }
}

/// The most recent window of each (interval, zone) pair, shared by the process.
final class WindowCache: Sendable {
    static let shared = WindowCache()
    /// Bound on remembered pairs (there are four timed intervals per zone in use).
    static let capacity = 4096

    private struct Key: Hashable {
        let interval: Interval
        let zone: String
    }

    private struct Entry {
        let window: DateInterval
        let key: String
    }

    private let entries = Mutex<[Key: Entry]>([:])

    /// The remembered window of `interval` in `timeZone` when it contains `date` (end excluded).
    func window(_ interval: Interval, containing date: Date, timeZone: TimeZone) -> (window: DateInterval?, key: String?)? {
        let key = Key(interval: interval, zone: timeZone.identifier)
        guard let entry = entries.withLock({ $0[key] }), entry.window.start <= date, date < entry.window.end else {
            return nil
        }
        return (entry.window, entry.key)
    }

    func remember(_ interval: Interval, timeZone: TimeZone, window: DateInterval, key: String) {
        let cacheKey = Key(interval: interval, zone: timeZone.identifier)
        entries.withLock { entries in
            if entries.count >= Self.capacity, entries[cacheKey] == nil { entries.removeAll(keepingCapacity: true) }
            entries[cacheKey] = Entry(window: window, key: key)
        }
    }
}
