import Foundation
import PurserTestSupport
import PurserWire
import Testing

/// Cross-checks the codec against the reference protobuf implementation (Python's
/// `protobuf`, which `deploy/dev` installs): every message we encode must parse
/// there and come back unchanged.
@Suite struct InteropTests {
    @Test func referenceImplementationReadsWhatWeWriteAndWeReadWhatItWrites() throws {
        var random = SeededGenerator(seed: 0x1A7E_0001)
        let messages = (0..<400).map { _ in random.everything() }
        let reserialized = try runReference(messages.map { $0.serializedBytes() })
        try #require(reserialized.count == messages.count)
        for (index, bytes) in reserialized.enumerated() {
            #expect(try Everything(serializedBytes: bytes) == messages[index], "message \(index)")
        }
    }

    /// Map entry order is left to each implementation, so byte-for-byte equality
    /// is checked on messages without maps.
    @Test func referenceImplementationReserializesOurEncodingByteForByte() throws {
        var random = SeededGenerator(seed: 0x1A7E_0002)
        let messages = (0..<400).map { _ in
            var message = random.everything()
            message.labels = [:]
            message.counts = [:]
            message.accounts = [:]
            return message
        }
        let encodings = messages.map { $0.serializedBytes() }
        let reserialized = try runReference(encodings)
        try #require(reserialized.count == encodings.count)
        for (index, bytes) in encodings.enumerated() {
            #expect(reserialized[index] == bytes, "message \(index): \(messages[index])")
        }
    }

    /// Feeds hex-encoded messages to the reference implementation and returns what it re-serializes.
    func runReference(_ encodings: [[UInt8]]) throws -> [[UInt8]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.referenceScript]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let hex = encodings.map { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
        // "-" stands for an empty message so that every message keeps its own line.
        let lines = hex.map { $0.isEmpty ? "-" : $0 }.joined(separator: "\n") + "\n"
        input.fileHandleForWriting.write(Data(lines.utf8))
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        let diagnostics = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(
            process.terminationStatus == 0,
            "python3 with the protobuf module is required: \(String(decoding: diagnostics, as: UTF8.self))")
        return String(decoding: result, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast()
            .map { line in
                line == "-" ? [] : stride(from: 0, to: line.count, by: 2).compactMap { offset in
                    let start = line.index(line.startIndex, offsetBy: offset)
                    return UInt8(line[start..<line.index(start, offsetBy: 2)], radix: 16)
                }
            }
    }

    /// `Everything` declared through descriptors, parsed and re-serialized line by line.
    static let referenceScript = #"""
import sys
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto
f = descriptor_pb2.FileDescriptorProto(name="everything.proto", package="purser.test", syntax="proto3")
status = f.enum_type.add(name="HoldStatus")
for name, number in [("HOLD_STATUS_UNSPECIFIED", 0), ("HOLD_STATUS_PENDING", 1), ("HOLD_STATUS_CAPTURED", 2)]:
    status.value.add(name=name, number=number)

def add(message, name, number, kind, repeated=False, type_name=None, optional_index=None):
    field = message.field.add(name=name, number=number, type=kind,
                              label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
    if type_name:
        field.type_name = type_name
    if optional_index is not None:
        field.proto3_optional = True
        field.oneof_index = optional_index

money = f.message_type.add(name="Money")
add(money, "micros", 1, F.TYPE_INT64)
add(money, "currency", 2, F.TYPE_STRING)
add(money, "notes", 3, F.TYPE_STRING, repeated=True)

m = f.message_type.add(name="Everything")
def map_entry(name, key, value, value_type_name=None):
    entry = m.nested_type.add(name=name)
    entry.options.map_entry = True
    add(entry, "key", 1, key)
    add(entry, "value", 2, value, type_name=value_type_name)
    return ".purser.test.Everything." + name

scalars = [
    ("int32", 1, F.TYPE_INT32), ("int64", 2, F.TYPE_INT64), ("uint32", 3, F.TYPE_UINT32),
    ("uint64", 4, F.TYPE_UINT64), ("sint32", 5, F.TYPE_SINT32), ("sint64", 6, F.TYPE_SINT64),
    ("fixed32", 7, F.TYPE_FIXED32), ("fixed64", 8, F.TYPE_FIXED64), ("sfixed32", 9, F.TYPE_SFIXED32),
    ("sfixed64", 10, F.TYPE_SFIXED64), ("flag", 11, F.TYPE_BOOL), ("text", 12, F.TYPE_STRING),
    ("data", 13, F.TYPE_BYTES), ("ratio", 15, F.TYPE_DOUBLE),
]
for name, number, kind in scalars:
    add(m, name, number, kind)
add(m, "status", 14, F.TYPE_ENUM, type_name=".purser.test.HoldStatus")
add(m, "money", 16, F.TYPE_MESSAGE, type_name=".purser.test.Money")
add(m, "plain_money", 17, F.TYPE_MESSAGE, type_name=".purser.test.Money")
add(m, "ints", 18, F.TYPE_INT64, repeated=True)
add(m, "sints", 19, F.TYPE_SINT32, repeated=True)
add(m, "fixeds", 20, F.TYPE_FIXED64, repeated=True)
add(m, "flags", 21, F.TYPE_BOOL, repeated=True)
add(m, "statuses", 22, F.TYPE_ENUM, repeated=True, type_name=".purser.test.HoldStatus")
add(m, "texts", 23, F.TYPE_STRING, repeated=True)
add(m, "blobs", 24, F.TYPE_BYTES, repeated=True)
add(m, "monies", 25, F.TYPE_MESSAGE, repeated=True, type_name=".purser.test.Money")
add(m, "labels", 26, F.TYPE_MESSAGE, repeated=True, type_name=map_entry("LabelsEntry", F.TYPE_STRING, F.TYPE_STRING))
add(m, "counts", 27, F.TYPE_MESSAGE, repeated=True, type_name=map_entry("CountsEntry", F.TYPE_STRING, F.TYPE_SINT64))
add(m, "accounts", 28, F.TYPE_MESSAGE, repeated=True,
    type_name=map_entry("AccountsEntry", F.TYPE_INT64, F.TYPE_MESSAGE, ".purser.test.Money"))
for index, (name, number, kind) in enumerate([("maybe_count", 29, F.TYPE_INT64), ("maybe_text", 30, F.TYPE_STRING),
                                              ("maybe_flag", 31, F.TYPE_BOOL)]):
    m.oneof_decl.add(name="_" + name)
    add(m, name, number, kind, optional_index=index)
add(m, "score", 32, F.TYPE_FLOAT)
add(m, "last", 536870911, F.TYPE_INT64)

pool = descriptor_pool.DescriptorPool()
pool.Add(f)
Everything = message_factory.GetMessageClass(pool.FindMessageTypeByName("purser.test.Everything"))

# Every input line is the hex of a message; every output line is the hex of that
# message parsed and re-serialized by the reference implementation.
out = []
for line in sys.stdin.read().split():
    message = Everything()
    message.ParseFromString(b"" if line == "-" else bytes.fromhex(line))
    out.append(message.SerializeToString(deterministic=True).hex() or "-")
sys.stdout.write("\n".join(out) + "\n")
"""#
}
