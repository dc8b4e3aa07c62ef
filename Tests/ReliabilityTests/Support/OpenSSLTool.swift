import Foundation
import PurserTestSupport

/// The `openssl` command-line tool, as an independent TLS client and as the
/// maker of certificates the deployment would never issue (a second CA, an
/// expired leaf).
enum OpenSSLTool {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs `openssl arguments…` with empty stdin; the process is killed after `timeout`.
    /// Returns the exit status and stdout+stderr.
    @discardableResult
    static func run(_ arguments: [String], timeout: Duration = .seconds(10)) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs `openssl s_client` against 127.0.0.1:`port` trusting the test CA, with `extra` options.
    /// With `waitForServer`, it keeps reading after the handshake so a late alert (a TLS 1.3
    /// server refusing the client's certificate) shows in the output.
    static func sClient(port: Int, _ extra: [String], waitForServer: Bool = false) async throws -> String {
        var arguments = [
            "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost",
            "-CAfile", try TestEnvironment.certificate("ca"), "-verify_return_error",
        ] + extra
        if waitForServer { arguments.append("-ign_eof") }
        let finished = arguments
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(finished, timeout: .seconds(waitForServer ? 4 : 10)).output })
            }
        }
    }

    /// Whether an s_client transcript shows a completed, verified TLS 1.3 handshake that agreed on `purser/1`.
    static func handshakeSucceeded(_ transcript: String) -> Bool {
        transcript.contains("New, TLSv1.3, Cipher is") && transcript.contains("Verify return code: 0 (ok)")
            && transcript.contains("ALPN protocol: purser/1")
    }

    /// Whether an s_client transcript shows the server refusing: a TLS alert, no cipher agreed,
    /// or the connection closed by the server (seen with `waitForServer`).
    static func serverRefused(_ transcript: String) -> Bool {
        transcript.contains("alert") || transcript.contains("Cipher is (NONE)") || transcript.contains("unexpected eof")
            || transcript.contains("read:errno=0") || transcript.contains("\nclosed")
    }

    /// A fresh directory under the system temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "purser-reliability-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A new self-signed CA (`name`.pem, `name`.key) in `directory`.
    static func makeCA(_ name: String, in directory: String) throws {
        try expectSuccess(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "\(directory)/\(name).key"])
        try expectSuccess([
            "req", "-x509", "-new", "-key", "\(directory)/\(name).key", "-sha256", "-days", "30", "-subj", "/CN=\(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", "\(directory)/\(name).pem",
        ])
    }

    /// A leaf `name`.pem/`name`.key in `directory` with CN and SAN like the deployment's, signed by
    /// `caPath`/`caKeyPath`, valid between `notBefore` and `notAfter` (`YYYYMMDDHHMMSSZ`).
    static func makeLeaf(
        _ name: String, commonName: String, in directory: String, caPath: String, caKeyPath: String, notBefore: String,
        notAfter: String
    ) throws {
        let key = "\(directory)/\(name).key"
        try expectSuccess(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        try expectSuccess(["req", "-new", "-key", key, "-subj", "/CN=\(commonName)", "-out", "\(directory)/\(name).csr"])
        let database = "\(directory)/\(name)-ca"
        try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: true)
        try "".write(toFile: "\(database)/index.txt", atomically: true, encoding: .utf8)
        try "1000\n".write(toFile: "\(database)/serial", atomically: true, encoding: .utf8)
        try """
            [ca]
            default_ca = issuer
            [issuer]
            database = \(database)/index.txt
            new_certs_dir = \(database)
            serial = \(database)/serial
            default_md = sha256
            policy = anything
            unique_subject = no
            [anything]
            commonName = supplied
            [leaf]
            basicConstraints = CA:FALSE
            keyUsage = critical,digitalSignature
            extendedKeyUsage = serverAuth,clientAuth
            subjectAltName = DNS:\(commonName),DNS:localhost,IP:127.0.0.1
            """.write(toFile: "\(database)/openssl.cnf", atomically: true, encoding: .utf8)
        try expectSuccess([
            "ca", "-batch", "-config", "\(database)/openssl.cnf", "-extensions", "leaf", "-cert", caPath, "-keyfile", caKeyPath,
            "-in", "\(directory)/\(name).csr", "-out", "\(directory)/\(name).pem", "-startdate", notBefore, "-enddate", notAfter,
            "-notext",
        ])
    }

    private static func expectSuccess(_ arguments: [String]) throws {
        let (status, output) = try run(arguments)
        guard status == 0 else { throw Failure(description: "openssl \(arguments.first ?? "") failed: \(output)") }
    }
}
