import COpenSSL
import Foundation
import Glibc

/// Many TLS connections (ALPN `purser/1`) that finished their handshake and then stay silent,
/// held open until `close()`. The handshakes run on a dedicated thread (they
/// block), one after another.
final class IdleConnections: @unchecked Sendable {
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
    init(port: Int, count: Int) async throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw BenchError.setup("SSL_CTX_new failed") }
        // Without ALPN purser/1 the server closes the connection after the
        // handshake, and nothing would be held on its side.
        guard purser_SSL_CTX_offer_purser_alpn(context) == 0 else {
            SSL_CTX_free(context)
            throw BenchError.setup("cannot offer ALPN purser/1")
        }
        self.context = context
        let shared = Context(pointer: context)
        let opened: [Session] = await withCheckedContinuation { continuation in
            let thread = Thread {
                var sessions: [Session] = []
                sessions.reserveCapacity(count)
                for _ in 0..<count {
                    guard let session = Self.connect(context: shared.pointer, port: port) else { continue }
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

/// This process's resident set size in KiB (VmRSS of /proc/self/status), 0 when unreadable.
func residentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return 0
}
