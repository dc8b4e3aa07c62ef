import Glibc

/// The standard process series, read from `/proc/self` when scraped:
/// `process_resident_memory_bytes`, `process_virtual_memory_bytes`,
/// `process_open_fds`, `process_max_fds`, `process_cpu_seconds_total` and
/// `process_start_time_seconds`. A file that cannot be read leaves its series out.
public enum ProcessMetrics {
    /// Registers the process series in `registry`.
    public static func register(in registry: MetricsRegistry) {
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let startTime = startTimeSeconds(ticksPerSecond: ticks)
        registry.collect("process_resident_memory_bytes", help: "Resident memory size in bytes.", kind: .gauge) {
            statm().map { [MetricSample([], Double($0.resident) * pageSize)] } ?? []
        }
        registry.collect("process_virtual_memory_bytes", help: "Virtual memory size in bytes.", kind: .gauge) {
            statm().map { [MetricSample([], Double($0.size) * pageSize)] } ?? []
        }
        registry.collect("process_open_fds", help: "Number of open file descriptors.", kind: .gauge) {
            openDescriptors().map { [MetricSample([], Double($0))] } ?? []
        }
        registry.collect("process_max_fds", help: "Maximum number of open file descriptors.", kind: .gauge) {
            var limit = rlimit()
            guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return [] }
            return [MetricSample([], Double(limit.rlim_cur))]
        }
        registry.collect("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", kind: .counter) {
            guard let fields = statFields(), fields.count > 14, let user = Double(fields[13]), let system = Double(fields[14]) else { return [] }
            return [MetricSample([], (user + system) / ticks)]
        }
        registry.collect("process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.", kind: .gauge) {
            startTime.map { [MetricSample([], $0)] } ?? []
        }
    }

    /// Pages of `/proc/self/statm`: total size and resident.
    static func statm() -> (size: Int, resident: Int)? {
        guard let text = read("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let size = Int(fields[0]), let resident = Int(fields[1]) else { return nil }
        return (size, resident)
    }

    /// The fields of `/proc/self/stat` after the command name (field 3, the
    /// state, is index 0), which may itself hold spaces and parentheses.
    static func statFields() -> [Substring]? {
        guard let text = read("/proc/self/stat"), let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// Boot time (`btime` of `/proc/stat`) plus the process's start in clock ticks after boot.
    static func startTimeSeconds(ticksPerSecond: Double) -> Double? {
        guard let fields = statFields(), fields.count > 19, let started = Double(fields[19]),
              let stat = read("/proc/stat"),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let boot = Double(line.dropFirst(6).trimmingPrefix(" "))
        else { return nil }
        return boot + started / ticksPerSecond
    }

    /// Entries of `/proc/self/fd` (the directory's own descriptor excluded).
    static func openDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in name[0] == 0x2E }
            if !isDot { count += 1 }
        }
        return count - 1
    }

    /// The contents of a small file, or nil.
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
