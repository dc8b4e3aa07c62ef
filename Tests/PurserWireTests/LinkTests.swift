import Testing
@testable import PurserWire
