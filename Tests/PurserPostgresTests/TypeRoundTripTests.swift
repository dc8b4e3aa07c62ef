import Foundation
import Testing
import PurserKit
import PurserPostgres
import PurserTestSupport

@Suite struct TypeRoundTripTests {
    static let pool = PostgresPoolBox()

    /// One pool for the suite, created once on first use (callers arriving
    /// meanwhile share the same creation). Its queries read no table, so it
    /// connects to the server's maintenance database and leaves no test
    /// database behind; its two connections live as long as the test process.
    actor PostgresPoolBox {
        private var pool: PostgresPool?
        func get() throws -> PostgresPool {
            if let pool { return pool }
            let created = PostgresPool(
                configuration: TestDatabase.configuration(url: try TestEnvironment.databaseURL(), size: 2, applicationName: "purser-tests"),
                logger: Logger(label: "types", level: .error))
            pool = created
            return created
        }
    }

    func roundTrip<T: PostgresEncodable & PostgresDecodable & Equatable>(_ value: T?, as sqlType: String) async throws -> T? {
        let pool = try await Self.pool.get()
        return try await pool.withConnection { connection in
            try connection.query("SELECT $1::\(sqlType)", [value])[0].decode(T?.self, at: 0)
        }
    }

    @Test(arguments: [Int64.min, -1, 0, 1, Int64.max])
    func int64RoundTrips(value: Int64) async throws {
        #expect(try await roundTrip(value, as: "int8") == value)
    }

    @Test(arguments: [Int32.min, 0, Int32.max])
    func int32RoundTrips(value: Int32) async throws {
        #expect(try await roundTrip(value, as: "int4") == value)
    }

    @Test(arguments: [Int.min, 0, 42, Int.max])
    func intRoundTrips(value: Int) async throws {
        #expect(try await roundTrip(value, as: "int8") == value)
    }

    @Test(arguments: [true, false])
    func boolRoundTrips(value: Bool) async throws {
        #expect(try await roundTrip(value, as: "bool") == value)
    }

    @Test(arguments: ["", "plain", "quote ' and \" and \\", "ünïcödé ✓ 日本", String(repeating: "x", count: 100_000)])
    func stringRoundTrips(value: String) async throws {
        #expect(try await roundTrip(value, as: "text") == value)
    }

    @Test(arguments: [[UInt8](), [0, 1, 2, 255], [UInt8](repeating: 0, count: 4096)])
    func bytesRoundTrips(value: [UInt8]) async throws {
        #expect(try await roundTrip(value, as: "bytea") == value)
    }

    @Test func uuidRoundTrips() async throws {
        let value = UUID()
        #expect(try await roundTrip(value, as: "uuid") == value)
    }

    @Test(arguments: [0.0, 1_700_000_000.123456, -1_000_000_000.5, 946_684_800])
    func dateRoundTrips(seconds: Double) async throws {
        let value = Date(timeIntervalSince1970: seconds)
        let back = try #require(try await roundTrip(value, as: "timestamptz"))
        #expect(abs(back.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test(arguments: [Int64(0), 3_000, -1_500_000, Int64.max])
    func moneyRoundTrips(micros: Int64) async throws {
        #expect(try await roundTrip(Money(micros: micros), as: "int8") == Money(micros: micros))
    }

    @Test func nullsDecodeAsNilForEveryType() async throws {
        #expect(try await roundTrip(Int64?.none, as: "int8") == nil)
        #expect(try await roundTrip(Int32?.none, as: "int4") == nil)
        #expect(try await roundTrip(Int?.none, as: "int8") == nil)
        #expect(try await roundTrip(Bool?.none, as: "bool") == nil)
        #expect(try await roundTrip(String?.none, as: "text") == nil)
        #expect(try await roundTrip([UInt8]?.none, as: "bytea") == nil)
        #expect(try await roundTrip(UUID?.none, as: "uuid") == nil)
        #expect(try await roundTrip(Date?.none, as: "timestamptz") == nil)
        #expect(try await roundTrip(Money?.none, as: "int8") == nil)
    }

    @Test func nullIntoANonOptionalIsAClearError() async throws {
        let pool = try await Self.pool.get()
        do {
            _ = try await pool.withConnection { try $0.query("SELECT NULL::int8 AS amount")[0][0, as: Int64.self] }
            Issue.record("NULL decoded as Int64")
        } catch let error as PostgresError {
            #expect(error.kind == .decoding)
            #expect(error.message.contains("amount"))
            #expect(error.message.contains("NULL"))
        }
    }

    @Test func mismatchedTypesAndMissingColumnsThrowInsteadOfTrapping() async throws {
        let pool = try await Self.pool.get()
        let errors = try await pool.withConnection { connection -> [PostgresError.Kind] in
            let row = try connection.query("SELECT 'x'::text AS word, 5::int8 AS n, 3000000000::int8 AS big")[0]
            var kinds: [PostgresError.Kind] = []
            for attempt in [
                { _ = try row.decode(Int64.self, at: 0) },
                { _ = try row.decode(UUID.self, at: 1) },
                { _ = try row.decode(Int32.self, at: 2) },
                { _ = try row.decode(Int64.self, at: 9) },
                { _ = try row.decode(Int64.self, named: "missing") },
            ] as [() throws -> Void] {
                do { try attempt() } catch let error as PostgresError { kinds.append(error.kind) }
            }
            return kinds
        }
        #expect(errors == Array(repeating: .decoding, count: 5))
    }

    @Test func decodesByColumnNameAndAggregatesAndTextForms() async throws {
        let pool = try await Self.pool.get()
        let values = try await pool.withConnection { connection in
            let row = try connection.query("""
                SELECT sum(x) AS total, 42::int2 AS small, 12.5::numeric AS price,
                       '{"a": 1}'::jsonb AS doc, 'a1b2c3d4-0000-4000-8000-000000000001'::uuid AS id,
                       (-123456789012)::numeric AS negative, 100000000::numeric AS round
                FROM (VALUES (9223372036854775807::int8 - 10), (4::int8)) AS v(x)
                """)[0]
            return (
                try row["total", as: Int64.self], try row["small", as: Int32.self], try row["price", as: String.self],
                try row["doc", as: String.self], try row["id", as: String.self], try row["negative", as: Int64.self],
                try row["round", as: Money.self]
            )
        }
        #expect(values.0 == Int64.max - 6)
        #expect(values.1 == 42)
        #expect(values.2 == "12.5")
        #expect(values.3 == #"{"a": 1}"#)
        #expect(values.4 == "a1b2c3d4-0000-4000-8000-000000000001")
        #expect(values.5 == -123_456_789_012)
        #expect(values.6 == Money(micros: 100_000_000))
    }

    @Test(arguments: ["0", "0.0012", "-0.00001234", "123456789.123456789", "10000", "-20000.50", "1e20", "NaN", "0.000"])
    func numericTextMatchesPostgres(literal: String) async throws {
        let pool = try await Self.pool.get()
        let (decoded, printed) = try await pool.withConnection { connection in
            let row = try connection.query("SELECT $1::numeric, $1::numeric::text", [literal])[0]
            return (try row.decode(String.self, at: 0), try row.decode(String.self, at: 1))
        }
        #expect(decoded == printed)
    }

    @Test func fractionalOrOversizedNumericIsNotSilentlyTruncated() async throws {
        let pool = try await Self.pool.get()
        let fractional = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.query("SELECT 1.5::numeric")[0][0, as: Int64.self] }
        }
        #expect(fractional?.kind == .decoding)
        #expect(fractional?.message.hasSuffix("1.5 is not an integer in range") == true, "\(String(describing: fractional))")
        let oversized = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.query("SELECT 99999999999999999999::numeric")[0][0, as: Int64.self] }
        }
        #expect(oversized?.kind == .decoding)
        #expect(oversized?.message.hasSuffix("99999999999999999999 is not an integer in range") == true, "\(String(describing: oversized))")
    }

    @Test func stringParametersAreInferredByTheServer() async throws {
        let pool = try await Self.pool.get()
        let id = UUID()
        let matched = try await pool.withConnection { connection in
            try connection.query("SELECT $1::uuid = $2", [id.uuidString, id])[0][0, as: Bool.self]
        }
        #expect(matched)
    }

    @Test func stringWithNULIsRejectedRatherThanTruncated() async throws {
        let pool = try await Self.pool.get()
        do {
            _ = try await pool.withConnection { try $0.query("SELECT $1::text", ["abc\u{0}def"]) }
            Issue.record("NUL accepted")
        } catch let error as PostgresError {
            #expect(error.kind == .invalidParameter)
        }
    }
}
