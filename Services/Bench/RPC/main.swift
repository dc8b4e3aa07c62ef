// purser-rpc-bench: an echo method over TLS 1.3 on loopback.
//
//   purser-rpc-bench CERT_DIR [SECONDS_PER_RUN]
//
// CERT_DIR holds ca.pem and wallet.pem/wallet.key (made by deploy/certs.sh).
// Prints a Markdown table: sequential round-trip latency (p50/p99) and calls/s
// with 1, 16 and 64 calls in flight on one and on four connections.
import Foundation
import PurserKit
import PurserRPC

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: purser-rpc-bench CERT_DIR [SECONDS_PER_RUN]\n".utf8))
    exit(2)
}
let certificates = arguments[1]
let secondsPerRun = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3
let logger = Logger(label: "rpc-bench", level: .warning)
let payload = [UInt8](repeating: 0x42, count: 64)

let router = RPCRouter()
router.register("bench.v1.Bench/Echo") { bytes, _ in bytes }
let server = RPCServer(
    configuration: ServerConfiguration(
        host: "127.0.0.1", port: 0,
        tls: .server(certificatePath: "\(certificates)/wallet.pem", privateKeyPath: "\(certificates)/wallet.key")),
    router: router, logger: logger)

func makeClient(port: Int, connections: Int) throws -> RPCClient {
    try RPCClient(
        configuration: ClientConfiguration(host: "127.0.0.1", port: port, serverName: "localhost",
                                           tls: .client(trustRootsPath: "\(certificates)/ca.pem"), connections: connections),
        logger: logger)
}

func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
    sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}

func microseconds(_ duration: Duration) -> String {
    String(format: "%.1f", duration.secondsValue * 1e6)
}

func sequentialLatency(port: Int) async throws -> (p50: Duration, p99: Duration, calls: Int) {
    let client = try makeClient(port: port, connections: 1)
    defer { client.close() }
    for _ in 0..<2_000 { _ = try await client.call("bench.v1.Bench/Echo", payload) }
    let clock = ContinuousClock()
    var samples: [Duration] = []
    samples.reserveCapacity(200_000)
    let end = clock.now.advanced(by: .seconds(secondsPerRun))
    while clock.now < end {
        let start = clock.now
        _ = try await client.call("bench.v1.Bench/Echo", payload)
        samples.append(clock.now - start)
    }
    samples.sort()
    return (percentile(samples, 0.50), percentile(samples, 0.99), samples.count)
}

func throughput(port: Int, connections: Int, inFlight: Int) async throws -> Double {
    let client = try makeClient(port: port, connections: connections)
    defer { client.close() }
    for _ in 0..<(connections * 200) { _ = try await client.call("bench.v1.Bench/Echo", payload) }
    let clock = ContinuousClock()
    let start = clock.now
    let end = start.advanced(by: .seconds(secondsPerRun))
    let completed = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<inFlight {
            group.addTask {
                var calls = 0
                while clock.now < end {
                    _ = try await client.call("bench.v1.Bench/Echo", payload)
                    calls += 1
                }
                return calls
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = clock.now - start
    return Double(completed) / elapsed.secondsValue
}

let port = try server.start()
let latency = try await sequentialLatency(port: port)
var lines = [
    "| measurement | result |",
    "|---|---|",
    "| sequential round trip p50 (1 connection, 64-byte echo) | \(microseconds(latency.p50)) µs |",
    "| sequential round trip p99 | \(microseconds(latency.p99)) µs |",
]
for connections in [1, 4] {
    for inFlight in [1, 16, 64] {
        let rate = try await throughput(port: port, connections: connections, inFlight: inFlight)
        lines.append("| calls/s, \(inFlight) in flight, \(connections) connection\(connections == 1 ? "" : "s") | \(Int(rate.rounded())) |")
    }
}
await server.shutdown(gracePeriod: .seconds(1))
print(lines.joined(separator: "\n"))
