import Foundation
import PurserTestSupport
import Testing

/// The committed wire code (`Shared/PurserAPI/Generated`, `Shared/PurserRPC/Generated`) and the gateway's
/// descriptor set (`Services/Gateway/Sources/Generated`) are exactly what the
/// generator writes from today's `.proto` files, so a schema change that was
/// not regenerated (`deploy/dev generate`) fails here.
@Suite struct GeneratedCodeTests {
    /// The modules whose `Generated/` folder the generator writes.
    static let folders = ["Shared/PurserAPI/Generated", "Shared/PurserRPC/Generated", "Services/Gateway/Sources/Generated"]

    @Test func committedWireCodeIsWhatTheProtoFilesGenerate() async throws {
        let root = TestEnvironment.repositoryRoot()
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("wiregen-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: fresh) }
        let (status, errors) = await Self.run(
            "/usr/bin/env", ["python3", root + "/deploy/wiregen/generate.py", "--output", fresh])
        try #require(status == 0, "the generator failed: \(errors)")

        var generated = 0
        for folder in Self.folders {
            let freshFiles = try Self.swiftFiles(in: fresh + "/" + folder)
            generated += freshFiles.count
            #expect(try Self.swiftFiles(in: root + "/" + folder) == freshFiles, "\(folder) holds other files; run deploy/dev generate")
            for name in freshFiles {
                let expected = try String(contentsOfFile: fresh + "/" + folder + "/" + name, encoding: .utf8)
                let actual = (try? String(contentsOfFile: root + "/" + folder + "/" + name, encoding: .utf8)) ?? ""
                #expect(Self.firstDifference(in: folder + "/" + name, actual, expected) == nil, "run deploy/dev generate")
            }
        }
        #expect(generated == 13, "types and methods of the six .proto files, and the gateway's descriptor set")
    }

    static func swiftFiles(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".pb.swift") }.sorted()
    }

    /// The first line where the committed file and a fresh generation part; nil when they are equal.
    static func firstDifference(in name: String, _ committed: String, _ fresh: String) -> String? {
        let old = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let new = fresh.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(old.count, new.count) {
            let was = index < old.count ? String(old[index]) : "<end of file>"
            let now = index < new.count ? String(new[index]) : "<end of file>"
            if was != now { return "\(name) line \(index + 1): committed \"\(was)\", generated \"\(now)\"" }
        }
        return nil
    }

    /// Runs a process on its own thread (never blocking the cooperative pool)
    /// and returns its exit status and standard error.
    static func run(_ executable: String, _ arguments: [String]) async -> (Int32, String) {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                let errors = Pipe()
                process.standardError = errors
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: (-1, "\(error)"))
                    return
                }
                let data = errors.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
            }
            thread.start()
        }
    }
}
