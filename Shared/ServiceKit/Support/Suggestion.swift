/// "Did you mean …?" suggestions by edit distance.
enum Suggestion {
    /// The candidate closest to `input`, if it is close enough to be a plausible typo.
    static func closest(to input: String, in candidates: [String]) -> String? {
        let limit = max(2, input.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(input, candidate)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        if best == nil {
            // A unique prefix is also a good guess ("--boot" → "--bootstrap-servers").
            let prefixed = candidates.filter { $0.hasPrefix(input) && input.count >= 3 }
            if prefixed.count == 1 { return prefixed[0] }
        }
        return best?.0
    }

    /// Damerau–Levenshtein distance (optimal string alignment): transpositions count as one edit.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}
