import Foundation

/// The current time in Unix microseconds.
func nowUs() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
}
