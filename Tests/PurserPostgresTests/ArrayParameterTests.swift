import Foundation
import PurserPostgres
import Testing

@Suite struct ArrayParameterTests {
    @Test func arraysArriveWithTheirTypesValuesAndNulls() async throws {
        try await withPool("arrays", size: 1) { pool in
            let uuid = UUID()
            let row = try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT pg_typeof($1)::text, array_to_string($1, ',', 'NULL'), $1[3] = 9223372036854775807,
                           pg_typeof($2)::text, array_to_string($2, '|', 'NULL'),
                           pg_typeof($3)::text, $3[1] = $4::uuid,
                           pg_typeof($5)::text, cardinality($5),
                           pg_typeof($6)::text, array_to_string($6, ',')
                    """,
                    [PostgresArray<Int64>([3_000_000, nil, .max, .min]),
                     PostgresArray<String>(["plain", "with \"quotes\", commas and \\ backslash", nil, "", "ünï"]),
                     PostgresArray<UUID>([uuid]), uuid.uuidString, PostgresArray<String>([]), PostgresArray<Int32>([1, -2])])[0]
            }
            #expect(try row.decode(String.self, at: 0) == "bigint[]")
            #expect(try row.decode(String.self, at: 1) == "3000000,NULL,9223372036854775807,-9223372036854775808")
            #expect(try row.decode(Bool.self, at: 2))
            #expect(try row.decode(String.self, at: 3) == "text[]")
            #expect(try row.decode(String.self, at: 4) == "plain|with \"quotes\", commas and \\ backslash|NULL||ünï")
            #expect(try row.decode(String.self, at: 5) == "uuid[]")
            #expect(try row.decode(Bool.self, at: 6))
            #expect(try row.decode(String.self, at: 7) == "text[]")
            #expect(try row.decode(Int32.self, at: 8) == 0)
            #expect(try row.decode(String.self, at: 9) == "integer[]")
            #expect(try row.decode(String.self, at: 10) == "1,-2")
        }
    }

    @Test func aNULInAStringElementIsRefusedBeforeItIsSent() async throws {
        try await withPool("arrays_nul", size: 1) { pool in
            await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    _ = try connection.query("SELECT $1", [PostgresArray<String>(["a\u{0}b"])])
                }
            }
        }
    }
}
