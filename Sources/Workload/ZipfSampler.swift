/// Draws customer indices with weight 1 / (rank + 1)^exponent: exponent 0 is
/// uniform, about 1 makes a few customers very active. The CDF is built once;
/// each draw is a binary search.
struct ZipfSampler: Sendable {
    private let cumulativeWeights: [Double]

    init(count: Int, exponent: Double) {
        precondition(count > 0, "need at least one customer")
        var cumulative = [Double]()
        cumulative.reserveCapacity(count)
        var total = 0.0
        for rank in 0..<count {
            total += exponent == 0 ? 1 : 1 / Double(rank + 1).pow(exponent)
            cumulative.append(total)
        }
        cumulativeWeights = cumulative
    }

    /// The index whose CDF interval holds a uniform draw; index 0 is the most active.
    func sample(_ random: inout SplitMix64) -> Int {
        let target = random.nextUnit() * cumulativeWeights[cumulativeWeights.count - 1]
        var low = 0
        var high = cumulativeWeights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulativeWeights[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

extension Double {
    /// x^y for x > 0 without Foundation: exp(y * ln x) by the series below, good to
    /// about 1e-12 relative, which is plenty for sampling weights.
    func pow(_ exponent: Double) -> Double {
        (exponent * naturalLog).naturalExp
    }

    private var naturalLog: Double {
        precondition(self > 0, "log of a non-positive number")
        // self = m * 2^e with m in [1, 2); ln(m) = 2 atanh((m - 1) / (m + 1)).
        let e = Double(exponent)
        let m = significand
        let t = (m - 1) / (m + 1)
        let t2 = t * t
        var term = t
        var sum = 0.0
        var k = 1.0
        while abs(term / k) > 1e-17 {
            sum += term / k
            term *= t2
            k += 2
        }
        return 2 * sum + e * 0.693_147_180_559_945_3
    }

    private var naturalExp: Double {
        // exp(x) = 2^n * exp(r), |r| <= ln2 / 2, exp(r) by its Taylor series.
        let ln2 = 0.693_147_180_559_945_3
        let n = (self / ln2).rounded()
        let r = self - n * ln2
        var term = 1.0
        var sum = 1.0
        var k = 1.0
        while abs(term) > 1e-17 {
            term *= r / k
            sum += term
            k += 1
        }
        return Double(sign: .plus, exponent: Int(n), significand: sum)
    }
}
