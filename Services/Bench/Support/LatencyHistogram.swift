import PurserKit

/// A log-linear latency histogram in the manner of HdrHistogram: values below
/// 128 ns are counted exactly; above, each power-of-two range is split into 64
/// equal sub-buckets, so every recorded value is known to within 1/64 (1.6 %)
/// of itself. Recording is O(1) with no allocation; the count array is fixed
/// at creation. The exact minimum and maximum are kept beside the buckets.
public struct LatencyHistogram: Sendable, Equatable {
    /// Bits of exact resolution: values below `1 << subBucketBits` get a bucket each.
    static let subBucketBits = 7
    static let subBucketCount = 1 << subBucketBits
    static let halfCount = subBucketCount / 2
    /// Enough buckets for any `UInt64` value.
    static let bucketCount = subBucketCount + (64 - subBucketBits) * halfCount

    private var counts: [UInt64]
    /// Number of recorded values.
    public private(set) var count: UInt64 = 0
    /// Largest recorded value in nanoseconds (exact), 0 when empty.
    public private(set) var maximumNanoseconds: UInt64 = 0
    /// Smallest recorded value in nanoseconds (exact), 0 when empty.
    public private(set) var minimumNanoseconds: UInt64 = 0
    /// Sum of recorded values in nanoseconds, saturating.
    public private(set) var totalNanoseconds: UInt64 = 0

    /// An empty histogram.
    public init() {
        counts = [UInt64](repeating: 0, count: Self.bucketCount)
    }

    /// The bucket holding `value`.
    static func bucketIndex(_ value: UInt64) -> Int {
        let bits = UInt64.bitWidth - value.leadingZeroBitCount
        if bits <= subBucketBits { return Int(value) }
        let shift = bits - subBucketBits
        let top = Int(value >> UInt64(shift))  // in [halfCount, subBucketCount)
        return subBucketCount + (shift - 1) * halfCount + (top - halfCount)
    }

    /// The largest value that falls into bucket `index`.
    static func highestValue(inBucket index: Int) -> UInt64 {
        if index < subBucketCount { return UInt64(index) }
        let shift = (index - subBucketCount) / halfCount + 1
        let top = UInt64((index - subBucketCount) % halfCount + halfCount)
        let next = (top + 1) << UInt64(shift)
        return next &- 1
    }

    /// Records one latency of `nanoseconds`.
    public mutating func record(nanoseconds: UInt64) {
        counts[Self.bucketIndex(nanoseconds)] &+= 1
        if count == 0 || nanoseconds < minimumNanoseconds { minimumNanoseconds = nanoseconds }
        if nanoseconds > maximumNanoseconds { maximumNanoseconds = nanoseconds }
        count += 1
        let (sum, overflow) = totalNanoseconds.addingReportingOverflow(nanoseconds)
        totalNanoseconds = overflow ? .max : sum
    }

    /// Records one latency; negative durations count as zero.
    public mutating func record(_ duration: Duration) {
        record(nanoseconds: duration.unsignedNanoseconds)
    }

    /// Adds every value of `other` to this histogram.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for index in 0..<Self.bucketCount { counts[index] &+= other.counts[index] }
        if count == 0 || other.minimumNanoseconds < minimumNanoseconds { minimumNanoseconds = other.minimumNanoseconds }
        maximumNanoseconds = max(maximumNanoseconds, other.maximumNanoseconds)
        count += other.count
        let (sum, overflow) = totalNanoseconds.addingReportingOverflow(other.totalNanoseconds)
        totalNanoseconds = overflow ? .max : sum
    }

    /// The value at `fraction` (0…1) of the recorded values: the upper bound of
    /// the bucket holding that rank, never above the recorded maximum. 0 when empty.
    public func valueAt(fraction: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let clamped = min(max(fraction, 0), 1)
        let rank = max(1, UInt64((clamped * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for index in 0..<Self.bucketCount {
            seen += counts[index]
            if seen >= rank { return min(Self.highestValue(inBucket: index), maximumNanoseconds) }
        }
        return maximumNanoseconds
    }

    /// Mean of the recorded values in nanoseconds, 0 when empty.
    public var meanNanoseconds: Double {
        count == 0 ? 0 : Double(totalNanoseconds) / Double(count)
    }
}
