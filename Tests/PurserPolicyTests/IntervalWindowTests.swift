import Foundation
import Testing
import PurserPolicy

@Suite struct IntervalWindowTests {
    private let utc = TimeZone.policyDefault

    @Test(arguments: [
        // America/New_York: spring forward 2026-03-08, fall back 2026-11-01.
        ("America/New_York", "2026-03-08T16:00:00Z", "2026-03-08T05:00:00Z", 23.0, "d:2026-03-08"),
        ("America/New_York", "2026-11-01T16:00:00Z", "2026-11-01T04:00:00Z", 25.0, "d:2026-11-01"),
        ("America/New_York", "2026-11-02T16:00:00Z", "2026-11-02T05:00:00Z", 24.0, "d:2026-11-02"),
        // Europe/Berlin: spring forward 2026-03-29, fall back 2026-10-25.
        ("Europe/Berlin", "2026-03-29T12:00:00Z", "2026-03-28T23:00:00Z", 23.0, "d:2026-03-29"),
        ("Europe/Berlin", "2026-10-25T12:00:00Z", "2026-10-24T22:00:00Z", 25.0, "d:2026-10-25"),
    ])
    func localDaysLast23Or25HoursAcrossDST(
        zoneID: String, at: String, start: String, hours: Double, key: String
    ) throws {
        let window = try #require(Interval.daily.window(containing: instant(at), timeZone: zone(zoneID)))
        #expect(window.start == instant(start))
        #expect(window.duration == hours * 3600)
        #expect(Interval.daily.windowKey(containing: instant(at), timeZone: zone(zoneID)) == key)
    }

    @Test func repeatedHourAtFallBackIsTwoSeparateWindows() throws {
        let newYork = zone("America/New_York")
        let firstPass = instant("2026-11-01T05:30:00Z")  // 01:30 EDT
        let secondPass = instant("2026-11-01T06:30:00Z")  // 01:30 EST
        #expect(Interval.hourly.windowKey(containing: firstPass, timeZone: newYork) == "h:2026-11-01T01-04:00")
        #expect(Interval.hourly.windowKey(containing: secondPass, timeZone: newYork) == "h:2026-11-01T01-05:00")
        let first = try #require(Interval.hourly.window(containing: firstPass, timeZone: newYork))
        let second = try #require(Interval.hourly.window(containing: secondPass, timeZone: newYork))
        #expect(first.start == instant("2026-11-01T05:00:00Z"))
        #expect(second.start == instant("2026-11-01T06:00:00Z"))
        #expect(first.end == second.start)
    }

    @Test func hourlyWindowsFollowHalfHourZones() throws {
        let kolkata = zone("Asia/Kolkata")
        let window = try #require(Interval.hourly.window(containing: instant("2026-11-21T13:10:00Z"), timeZone: kolkata))
        #expect(window.start == instant("2026-11-21T12:30:00Z"))
        #expect(window.duration == 3600)
        #expect(Interval.hourly.windowKey(containing: instant("2026-11-21T13:10:00Z"), timeZone: kolkata) == "h:2026-11-21T18+05:30")
    }

    @Test(arguments: [
        ("2026-12-31T12:00:00Z", "w:2026-W53"),
        ("2027-01-01T12:00:00Z", "w:2026-W53"),
        ("2027-01-03T23:59:59Z", "w:2026-W53"),
        ("2027-01-04T00:00:00Z", "w:2027-W01"),
        ("2025-12-29T00:00:00Z", "w:2026-W01"),
        ("2025-12-28T23:59:59Z", "w:2025-W52"),
        ("2026-11-21T12:00:00Z", "w:2026-W47"),
    ])
    func isoWeeksAcrossYearEnds(at: String, key: String) {
        #expect(Interval.weekly.windowKey(containing: instant(at), timeZone: utc) == key)
    }

    @Test func weekRunsMondayToMonday() throws {
        let window = try #require(Interval.weekly.window(containing: instant("2026-12-31T12:00:00Z"), timeZone: utc))
        #expect(window.start == instant("2026-12-28T00:00:00Z"))
        #expect(window.end == instant("2027-01-04T00:00:00Z"))
    }

    @Test func weekContainingSpringForwardIsOneHourShort() throws {
        let berlin = zone("Europe/Berlin")
        let window = try #require(Interval.weekly.window(containing: instant("2026-03-29T12:00:00Z"), timeZone: berlin))
        #expect(window.start == instant("2026-03-22T23:00:00Z"))  // Monday 23 March, 00:00 CET
        #expect(window.duration == (7 * 24 - 1) * 3600)
    }

    @Test(arguments: [
        ("2026-01-31T23:59:59Z", "m:2026-01", "2026-01-01T00:00:00Z", 31),
        ("2026-02-01T00:00:00Z", "m:2026-02", "2026-02-01T00:00:00Z", 28),
        ("2028-02-29T12:00:00Z", "m:2028-02", "2028-02-01T00:00:00Z", 29),
        ("2026-12-31T23:00:00Z", "m:2026-12", "2026-12-01T00:00:00Z", 31),
    ])
    func monthsStartOnTheFirst(at: String, key: String, start: String, days: Int) throws {
        #expect(Interval.monthly.windowKey(containing: instant(at), timeZone: utc) == key)
        let window = try #require(Interval.monthly.window(containing: instant(at), timeZone: utc))
        #expect(window.start == instant(start))
        #expect(window.duration == Double(days) * 86_400)
    }

    @Test func leapDayIsItsOwnDay() {
        #expect(Interval.daily.windowKey(containing: instant("2028-02-29T00:00:00Z"), timeZone: utc) == "d:2028-02-29")
        #expect(Interval.daily.windowKey(containing: instant("2028-03-01T00:00:00Z"), timeZone: utc) == "d:2028-03-01")
    }

    @Test func daysAreLocalToTheTenantZone() {
        let at = instant("2026-11-21T04:00:00Z")
        #expect(Interval.daily.windowKey(containing: at, timeZone: utc) == "d:2026-11-21")
        #expect(Interval.daily.windowKey(containing: at, timeZone: zone("America/New_York")) == "d:2026-11-20")
        #expect(Interval.monthly.windowKey(containing: instant("2026-11-30T23:30:00Z"), timeZone: zone("Europe/Berlin")) == "m:2026-12")
    }

    @Test func lifetimeAndPerTaskHaveNoTimeWindow() {
        let at = instant("2026-11-21T04:00:00Z")
        #expect(Interval.lifetime.window(containing: at, timeZone: utc) == nil)
        #expect(Interval.perTask.window(containing: at, timeZone: utc) == nil)
        #expect(Interval.lifetime.windowKey(containing: at, timeZone: utc) == "life")
        #expect(Interval.perTask.windowKey(containing: at, timeZone: utc, taskID: "t-42") == "task:t-42")
        #expect(Interval.perTask.windowKey(containing: at, timeZone: utc, taskID: nil) == nil)
    }

    @Test(arguments: [Interval.hourly, .daily, .weekly, .monthly])
    func everyInstantLiesInsideItsWindowAndKeysChangeExactlyAtTheEdges(interval: Interval) throws {
        for zoneID in ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"] {
            let timeZone = zone(zoneID)
            var at = instant("2026-01-01T00:00:00Z")
            let stop = instant("2027-01-10T00:00:00Z")
            while at < stop {
                let window = try #require(interval.window(containing: at, timeZone: timeZone))
                #expect(window.start <= at && at < window.end, "\(zoneID) \(at)")
                let key = interval.windowKey(containing: at, timeZone: timeZone)
                #expect(interval.windowKey(containing: window.start, timeZone: timeZone) == key, "\(zoneID) \(at)")
                #expect(interval.windowKey(containing: window.end, timeZone: timeZone) != key, "\(zoneID) \(at)")
                at = at.addingTimeInterval(interval == .hourly ? 7 * 3600 + 17 * 60 : 29 * 3600 + 13 * 60)
            }
        }
    }
}
