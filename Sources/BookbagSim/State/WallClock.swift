#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Wall-clock time as Unix seconds (Bookbag stores contact timestamps this way).
enum WallClock {
    static func unixSeconds() -> Double {
        Date().timeIntervalSince1970
    }
}
