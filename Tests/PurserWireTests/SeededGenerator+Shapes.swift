import PurserTestSupport

extension SeededGenerator {
    /// An integer that is often small, sometimes at the extremes, sometimes anything.
    mutating func interesting<I: FixedWidthInteger>(_ type: I.Type) -> I {
        switch Int.random(in: 0..<6, using: &self) {
        case 0: return 0
        case 1: return I.max
        case 2: return I.min
        case 3: return I(truncatingIfNeeded: Int.random(in: -200...200, using: &self))
        default: return I(truncatingIfNeeded: next())
        }
    }

    mutating func bytes(maxCount: Int) -> [UInt8] {
        (0..<Int.random(in: 0...maxCount, using: &self)).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// A string mixing ASCII, multi-byte scalars and emoji.
    mutating func text(maxCount: Int) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "é", "ß", "€", "中", "🙂", "\u{0}", "\n"]
        return String((0..<Int.random(in: 0...maxCount, using: &self)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &self)] })
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
}
