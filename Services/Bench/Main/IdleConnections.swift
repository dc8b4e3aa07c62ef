import COpenSSL
import Foundation
import Glibc

/// Many TLS connections that finished their handshake and then stay silent,
/// held open until `close()`: `purser/1` connections, or HTTP/1.1 keep-alive
/// connections that have each been answered one request. The handshakes run on
/// a dedicated thread (they block), one after another.
final class IdleConnections: @unchecked Sendable {
    enum Kind: String, Sendable {
        case purser
        /// ALPN `http/1.1`; one `GET` answered (a 404), then idle, kept alive.
        case http
    }

    /// One open connection: its socket and its OpenSSL session.
    private struct Session: @unchecked Sendable {
        let fd: Int32
        let ssl: OpaquePointer
    }

    /// An OpenSSL context handed to the handshake thread, which alone uses it until it finishes.
    private struct Context: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private var sessions: [Session] = []
    private let context: OpaquePointer

    /// Opens `count` connections to `127.0.0.1:port` and completes a TLS
    /// handshake on each; returns how many succeeded in `opened`.
    init(port: Int, count: Int, kind: Kind = .purser) async throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw BenchError.setup("SSL_CTX_new failed") }
        // Without the server's ALPN protocol it closes the connection after the
        // handshake, and nothing would be held on its side.
        let offered = switch kind {
        case .purser: purser_SSL_CTX_offer_purser_alpn(context)
        case .http: SSL_CTX_set_alpn_protos(context, [8] + Array("http/1.1".utf8), 9)
        }
        guard offered == 0 else {
            SSL_CTX_free(context)
            throw BenchError.setup("cannot offer ALPN \(kind)")
        }
        self.context = context
        let shared = Context(pointer: context)
        let opened: [Session] = await withCheckedContinuation { continuation in
            let thread = Thread {
                var sessions: [Session] = []
                sessions.reserveCapacity(count)
                for _ in 0..<count {
                    guard let session = Self.connect(context: shared.pointer, port: port) else { continue }
                    if kind == .http, !Self.oneRequest(session.ssl) {
                        SSL_free(session.ssl)
                        Glibc.close(session.fd)
                        continue
                    }
                    sessions.append(session)
                }
                continuation.resume(returning: sessions)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        sessions = opened
    }

    /// Connections whose handshake completed.
    var opened: Int { sessions.count }

    private static func connect(context: OpaquePointer, port: Int) -> Session? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        // As the services' own sockets: without it, Nagle holds the request
        // behind the unacknowledged Finished and each connection waits out the
        // peer's delayed acknowledgement (40 ms), 10,000 times.
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected, let ssl = SSL_new(context) else {
            Glibc.close(fd)
            return nil
        }
        SSL_set_fd(ssl, fd)
        guard SSL_connect(ssl) == 1 else {
            SSL_free(ssl)
            Glibc.close(fd)
            return nil
        }
        return Session(fd: fd, ssl: ssl)
    }

    /// Sends one small request and reads its whole (short) answer; false when
    /// the connection does not stay open for another.
    private static func oneRequest(_ ssl: OpaquePointer) -> Bool {
        let request = Array("GET /idle HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
        guard SSL_write(ssl, request, Int32(request.count)) == Int32(request.count) else { return false }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = SSL_read(ssl, &buffer, Int32(buffer.count))
            guard count > 0 else { return false }
            received += buffer[..<Int(count)]
            let text = String(decoding: received, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<end.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text.utf8.distance(from: text.startIndex, to: end.upperBound) >= length {
                return !head.contains("connection: close")
            }
        }
    }

    /// Closes every connection.
    func close() {
        for session in sessions {
            SSL_free(session.ssl)
            Glibc.close(session.fd)
        }
        sessions = []
        SSL_CTX_free(context)
    }
}

/// A failure of the benchmark's own setup.
enum BenchError: Error, CustomStringConvertible {
    case setup(String)

    var description: String {
        switch self {
        case .setup(let message): message
        }
    }
}

/// Raises this process's open-file limit to its hard limit; returns the new soft limit.
func raiseOpenFileLimit() -> UInt64 {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return UInt64(limit.rlim_cur)
}

/// The resident set size in KiB of this process, or of process `pid` (VmRSS of /proc/…/status), 0 when unreadable.
func residentKiB(of pid: Int32? = nil) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid.map(String.init) ?? "self")/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return 0
}

/// The executable `name` in the directory of this one (the bench's siblings
/// of the same build: `purser-gateway`, `purser-wallet`, … or itself).
func siblingExecutable(_ name: String) throws -> URL {
    URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        .deletingLastPathComponent().appendingPathComponent(name)
}
