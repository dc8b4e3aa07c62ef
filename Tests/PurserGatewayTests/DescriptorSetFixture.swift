import Foundation
import PurserTestSupport
@testable import PurserGateway

/// The descriptor set of `Shared/PurserAPI/proto/*.proto`, compiled once by
/// the real `protoc` (Python `grpcio-tools`, installed by `deploy/dev`); a
/// machine without it fails the tests that need it, loudly.
enum DescriptorSetFixture {
    static let schema: Result<ProtoSchema, any Error> = Result {
        try ProtoSchema(descriptorSet: try compile())
    }

    static func compile() throws -> [UInt8] {
        let protoDirectory = TestEnvironment.repositoryRoot() + "/Shared/PurserAPI/proto"
        let files = try FileManager.default.contentsOfDirectory(atPath: protoDirectory).filter { $0.hasSuffix(".proto") }.sorted()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("purser-descriptors-\(UUID().uuidString).pb")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "grpc_tools.protoc", "-I", protoDirectory, "--include_imports", "--include_source_info",
                             "--descriptor_set_out=\(output.path)"] + files
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw FixtureError("protoc (python3 -m grpc_tools.protoc) failed with \(process.terminationStatus): \(message)")
        }
        return Array(try Data(contentsOf: output))
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
