import Testing
@testable import PurserAuth
