import CLibPQ

/// Names the calling OS thread (the kernel keeps 15 bytes).
func setCurrentThreadName(_ name: String) {
    _ = purser_set_thread_name(name)
}

/// The calling OS thread's name.
func currentThreadName() -> String {
    var buffer = [CChar](repeating: 0, count: 17)
    _ = purser_get_thread_name(&buffer)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
