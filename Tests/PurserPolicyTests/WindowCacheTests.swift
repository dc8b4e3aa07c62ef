import Foundation
import PurserPolicy
import PurserTestSupport
import Testing

@Suite("Cached windows equal computed windows")
struct WindowCacheTests {
    static let zones = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"]

    @Test(arguments: zones)
    func cachedWindowsMatchTheCalendarEverywhereIncludingDaylightSavingChanges(_ zoneID: String) throws {
        let zone = try #require(TimeZone(identifier: zoneID))
        var generator = SeededGenerator(seed: zoneID.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) })
        // Walk forwards through 2026 in irregular steps (crossing every DST change),
        // then jump around at random so the cache also sees instants before its window.
        var instants: [Date] = []
        var at = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        while at.timeIntervalSince1970 < 1_798_761_600 {  // 2027-01-01
            instants.append(at)
            at.addTimeInterval(Double(generator.next() % 14_400) + 1)
        }
        for _ in 0..<2_000 {
            instants.append(Date(timeIntervalSince1970: 1_767_225_600 + Double(generator.next() % 31_536_000)))
        }
        for instant in instants {
            for interval in [Interval.hourly, .daily, .weekly, .monthly] {
                let cached = interval.cachedWindow(containing: instant, timeZone: zone)
                #expect(cached.window == interval.window(containing: instant, timeZone: zone), "\(interval) \(instant)")
                #expect(cached.key == interval.windowKey(containing: instant, timeZone: zone), "\(interval) \(instant)")
            }
        }
    }

    @Test func untimedIntervalsAreNeverCached() {
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(Interval.perTask.cachedWindow(containing: at, timeZone: .policyDefault, taskID: "t1").key == "task:t1")
        #expect(Interval.perTask.cachedWindow(containing: at, timeZone: .policyDefault, taskID: "t2").key == "task:t2")
        #expect(Interval.perTask.cachedWindow(containing: at, timeZone: .policyDefault).key == nil)
        #expect(Interval.lifetime.cachedWindow(containing: at, timeZone: .policyDefault).key == "life")
        #expect(Interval.lifetime.cachedWindow(containing: at, timeZone: .policyDefault).window == nil)
    }
}

