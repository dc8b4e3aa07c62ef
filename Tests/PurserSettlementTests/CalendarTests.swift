import PurserAPI
import PurserKit
import PurserRPC
import PurserTestSupport
import Testing
@testable import PurserSettlement

@Suite struct CalendarTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01", 4),
        (Int64(19_782), "2024-02-29", 4),
        (Int64(11_017), "2000-03-01", 3),
        (Int64(-1), "1969-12-31", 3),
        (Int64(20_413), "2025-11-21", 5),
    ])
    func knownDaysHaveTheirCivilDateAndWeekday(days: Int64, iso: String, weekday: Int) {
        let day = UTCDay(daysSinceEpoch: days)
        #expect(day.isoDate == iso)
        #expect(day.isoWeekday == weekday)
    }

    @Test func civilDatesRoundTripOverFourCenturies() throws {
        var day = UTCDay(daysSinceEpoch: -146_097)
        while day.daysSinceEpoch < 146_097 {
            let civil = day.civil
            let back = try #require(UTCDay(year: civil.year, month: civil.month, day: civil.day))
            #expect(back == day)
            day = day.adding(days: 1)
        }
    }

    @Test func impossibleDatesAreRefused() {
        #expect(UTCDay(year: 2023, month: 2, day: 29) == nil)
        #expect(UTCDay(year: 1900, month: 2, day: 29) == nil)
        #expect(UTCDay(year: 2024, month: 13, day: 1) == nil)
        #expect(UTCDay(year: 2024, month: 4, day: 31) == nil)
        #expect(UTCDay(year: 2000, month: 2, day: 29) != nil)
    }

    @Test func instantsBeforeMidnightBelongToThePreviousDay() {
        #expect(UTCDay(containing: -1).isoDate == "1969-12-31")
        #expect(UTCDay(containing: UTCDay.micros - 1).isoDate == "1970-01-01")
        #expect(UTCDay(containing: UTCDay.micros).isoDate == "1970-01-02")
    }

    @Test func timestampsAreISO8601UTC() {
        #expect(ISO8601.timestamp(0) == "1970-01-01T00:00:00Z")
        #expect(ISO8601.timestamp(1_763_744_645_123_456) == "2025-11-21T17:04:05Z")
        #expect(ISO8601.timestamp(-1) == "1969-12-31T23:59:59Z")
    }

    @Test func dailyPeriodsCoverOneUTCDay() {
        let instant: Int64 = 1_763_744_645_000_000
        let period = Cadence.daily.period(containing: instant)
        #expect(period.description == "2025-11-21..2025-11-22")
        #expect(period.contains(instant))
        #expect(Cadence.daily.next(after: period).description == "2025-11-22..2025-11-23")
    }

    @Test func weeklyPeriodsStartOnMonday() {
        let period = Cadence.weekly.period(containing: 1_763_744_645_000_000)
        #expect(period.description == "2025-11-17..2025-11-24")
        #expect(period.start.isoWeekday == 1)
        #expect(Cadence.weekly.next(after: period).description == "2025-11-24..2025-12-01")
    }

    @Test func monthlyPeriodsFollowTheCalendar() throws {
        let february = try #require(UTCDay(year: 2024, month: 2, day: 10))
        #expect(Cadence.monthly.period(containing: february.startUs).description == "2024-02-01..2024-03-01")
        let december = try #require(UTCDay(year: 2025, month: 12, day: 31))
        let period = Cadence.monthly.period(containing: december.startUs + 1)
        #expect(period.description == "2025-12-01..2026-01-01")
        #expect(Cadence.monthly.next(after: period).description == "2026-01-01..2026-02-01")
    }

    @Test(arguments: [
        (Int64(0), Int64(0)),
        (UTCDay.micros, Int64(0)),
        (Int64(1), UTCDay.micros),
        (Int64(0), UTCDay.micros + 5),
        (Int64(0), UTCDay.micros * 367),
        (Int64.min, Int64.max),
    ])
    func malformedPeriodsAreRefused(start: Int64, end: Int64) {
        let error = thrownRPCError { try SettlementPeriod(Period(startAtUs: start, endAtUs: end)) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.reason == "period_invalid")
    }

    @Test func aDayAlignedPeriodIsAccepted() throws {
        let period = try SettlementPeriod(Period(startAtUs: UTCDay.micros * 10, endAtUs: UTCDay.micros * 17))
        #expect(period.wire == Period(startAtUs: UTCDay.micros * 10, endAtUs: UTCDay.micros * 17))
        #expect(period.overlaps(try SettlementPeriod(Period(startAtUs: UTCDay.micros * 16, endAtUs: UTCDay.micros * 18))))
        #expect(!period.overlaps(try SettlementPeriod(Period(startAtUs: UTCDay.micros * 17, endAtUs: UTCDay.micros * 18))))
    }
}
