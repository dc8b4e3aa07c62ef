import Foundation
import Glibc

/// A minimal SMTP client over a plain TCP socket, enough to deliver one
/// message and report the server's replies.
struct SMTPSender {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The reply code and text the server answered to each command, in order.
    struct Transcript {
        var replies: [(command: String, code: Int, text: String)] = []
        /// The code answered to the first command starting with `prefix`.
        func code(for prefix: String) -> Int? { replies.first { $0.command.hasPrefix(prefix) }?.code }
    }

    let port: Int

    /// Sends one message from `from` to `to`; stops at the first refused
    /// command (the transcript shows which) and always ends with QUIT.
    func send(from: String, to: String, subject: String, body: String) throws -> Transcript {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to SMTP port \(port): errno \(errno)") }
        var reader = LineReader(fd: fd)
        var transcript = Transcript()
        let greeting = try reader.reply()
        transcript.replies.append(("(greeting)", greeting.0, greeting.1))
        func command(_ line: String) throws -> Int {
            try write(fd, line + "\r\n")
            let (code, text) = try reader.reply()
            transcript.replies.append((line, code, text))
            return code
        }
        defer { _ = try? command("QUIT") }
        guard try command("EHLO systemtest.local") == 250 else { return transcript }
        guard try command("MAIL FROM:<\(from)>") == 250 else { return transcript }
        guard try command("RCPT TO:<\(to)>") == 250 else { return transcript }
        guard try command("DATA") == 354 else { return transcript }
        let message = "From: <\(from)>\r\nTo: <\(to)>\r\nSubject: \(subject)\r\nMessage-ID: <\(UUID().uuidString)@systemtest.local>\r\n\r\n"
            + body.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n."
        _ = try command(message)
        return transcript
    }

    private func write(_ fd: Int32, _ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { throw Failure(description: "write failed: errno \(errno)") }
            offset += written
        }
    }

    /// Reads CRLF lines and multi-line replies (`250-…` continued, `250 …` last).
    struct LineReader {
        let fd: Int32
        var buffer: [UInt8] = []

        mutating func line() throws -> String {
            while true {
                if let index = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[..<index]
                    buffer.removeSubrange(...index)
                    return String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { throw Failure(description: "connection closed while waiting for a reply") }
                buffer += chunk[..<count]
            }
        }

        mutating func reply() throws -> (Int, String) {
            var text = ""
            while true {
                let line = try line()
                guard line.count >= 3, let code = Int(line.prefix(3)) else { throw Failure(description: "malformed reply \"\(line)\"") }
                text += line.dropFirst(4) + "\n"
                if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, text) }
            }
        }
    }
}
