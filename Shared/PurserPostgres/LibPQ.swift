import CLibPQ

/// The libpq version this module was linked against, e.g. 150018.
public func libpqVersion() -> Int { Int(PQlibVersion()) }
