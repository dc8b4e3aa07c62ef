import PurserBench
import Testing

@Suite struct LatencyHistogramTests {
    @Test func emptyHistogramReportsZeroEverywhere() {
        let histogram = LatencyHistogram()
        #expect(histogram.count == 0)
        #expect(histogram.valueAt(fraction: 0.99) == 0)
        #expect(histogram.maximumNanoseconds == 0)
    }

    @Test func valuesBelow128NanosecondsAreExact() {
        var histogram = LatencyHistogram()
        for value in UInt64(1)...100 { histogram.record(nanoseconds: value) }
        #expect(histogram.valueAt(fraction: 0.5) == 50)
        #expect(histogram.valueAt(fraction: 0.99) == 99)
        #expect(histogram.valueAt(fraction: 1) == 100)
        #expect(histogram.minimumNanoseconds == 1)
    }

    @Test(arguments: [UInt64(128), 1_000, 55_555, 1_234_567, 987_654_321, 40_000_000_000, UInt64.max / 3])
    func aSingleValueIsReportedWithinOneSixtyFourth(value: UInt64) {
        var histogram = LatencyHistogram()
        histogram.record(nanoseconds: value / 2)
        histogram.record(nanoseconds: value)
        let reported = histogram.valueAt(fraction: 0.25)
        #expect(reported >= value / 2)
        #expect(reported - value / 2 <= (value / 2) / 64)
        #expect(histogram.valueAt(fraction: 1) == value)
    }

    @Test func percentilesOfAUniformSpreadAreWithinResolution() {
        var histogram = LatencyHistogram()
        for microsecond in UInt64(1)...10_000 { histogram.record(nanoseconds: microsecond * 1_000) }
        for (fraction, expected) in [(0.5, 5_000_000.0), (0.9, 9_000_000.0), (0.99, 9_900_000.0)] {
            let reported = Double(histogram.valueAt(fraction: fraction))
            #expect(abs(reported - expected) / expected < 1.0 / 64, "fraction \(fraction): \(reported)")
        }
        #expect(histogram.maximumNanoseconds == 10_000_000)
        #expect(histogram.meanNanoseconds == 5_000_500)
    }

    @Test func mergingEqualsRecordingEverythingInOne() {
        var left = LatencyHistogram()
        var right = LatencyHistogram()
        var both = LatencyHistogram()
        for value in stride(from: UInt64(7), to: 3_000_000, by: 9_973) {
            left.record(nanoseconds: value)
            both.record(nanoseconds: value)
        }
        for value in stride(from: UInt64(11), to: 90_000_000, by: 104_729) {
            right.record(nanoseconds: value)
            both.record(nanoseconds: value)
        }
        left.merge(right)
        #expect(left == both)
        #expect(left.minimumNanoseconds == 7)
    }

    @Test func negativeAndHugeDurationsAreClampedNotTrapped() {
        var histogram = LatencyHistogram()
        histogram.record(.nanoseconds(-5))
        histogram.record(.seconds(Int64.max))
        #expect(histogram.count == 2)
        #expect(histogram.minimumNanoseconds == 0)
        #expect(histogram.maximumNanoseconds == .max)
        #expect(histogram.valueAt(fraction: 1) == .max)
    }
}
