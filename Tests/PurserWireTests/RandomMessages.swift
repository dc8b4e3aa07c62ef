import PurserTestSupport
import PurserWire

extension SeededGenerator {
    mutating func money() -> Money {
        Money(
            micros: chance(70) ? interesting(Int64.self) : 0,
            currency: chance(50) ? text(maxCount: 4) : "",
            notes: (0..<Int.random(in: 0...2, using: &self)).map { _ in text(maxCount: 6) })
    }

    /// A message with each field set or left at its default at random.
    mutating func everything() -> Everything {
        var m = Everything()
        if chance(50) { m.int32 = interesting(Int32.self) }
        if chance(50) { m.int64 = interesting(Int64.self) }
        if chance(50) { m.uint32 = interesting(UInt32.self) }
        if chance(50) { m.uint64 = interesting(UInt64.self) }
        if chance(50) { m.sint32 = interesting(Int32.self) }
        if chance(50) { m.sint64 = interesting(Int64.self) }
        if chance(50) { m.fixed32 = interesting(UInt32.self) }
        if chance(50) { m.fixed64 = interesting(UInt64.self) }
        if chance(50) { m.sfixed32 = interesting(Int32.self) }
        if chance(50) { m.sfixed64 = interesting(Int64.self) }
        if chance(50) { m.flag = chance(50) }
        if chance(50) { m.text = text(maxCount: 20) }
        if chance(50) { m.data = bytes(maxCount: 20) }
        if chance(50) { m.status = HoldStatus(rawValue: interesting(Int32.self)) }
        if chance(30) { m.ratio = Double(interesting(Int32.self)) / 7 }
        if chance(50) { m.money = money() }
        if chance(50) { m.plainMoney = money() }
        let small = { (g: inout SeededGenerator) in Int.random(in: 0...5, using: &g) }
        m.ints = (0..<small(&self)).map { _ in interesting(Int64.self) }
        m.sints = (0..<small(&self)).map { _ in interesting(Int32.self) }
        m.fixeds = (0..<small(&self)).map { _ in interesting(UInt64.self) }
        m.flags = (0..<small(&self)).map { _ in chance(50) }
        m.statuses = (0..<small(&self)).map { _ in HoldStatus(rawValue: interesting(Int32.self)) }
        m.texts = (0..<small(&self)).map { _ in text(maxCount: 8) }
        m.blobs = (0..<small(&self)).map { _ in bytes(maxCount: 8) }
        m.monies = (0..<small(&self)).map { _ in money() }
        for _ in 0..<small(&self) { m.labels[text(maxCount: 5)] = text(maxCount: 5) }
        for _ in 0..<small(&self) { m.counts[text(maxCount: 5)] = interesting(Int64.self) }
        for _ in 0..<small(&self) { m.accounts[interesting(Int64.self)] = money() }
        if chance(50) { m.maybeCount = chance(30) ? 0 : interesting(Int64.self) }
        if chance(50) { m.maybeText = chance(30) ? "" : text(maxCount: 5) }
        if chance(50) { m.maybeFlag = chance(50) }
        if chance(30) { m.score = Float(interesting(Int16.self)) / 4 }
        if chance(30) { m.last = interesting(Int64.self) }
        return m
    }
}
