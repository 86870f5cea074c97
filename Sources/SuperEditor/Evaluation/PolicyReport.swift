import Foundation

/// The Phase 2 table as text.
public enum PolicyReport {
    public static func table(_ m: PolicyMetrics, pairs: Int) -> String {
        func ok(_ b: Bool) -> String { b ? "met" : "NOT met" }
        var lines = ["Phase 2 on \(pairs) validation pairs (\(m.frames) frames, greedy)",
                     "| metric | value | target | |", "|---|---|---|---|",
                     String(format: "| average reward | %.3f | > 0 | %@ |", m.averageReward, ok(m.averageReward > 0)),
                     String(format: "| label accuracy | %.1f%% | > 70%%, ≥ baseline + 10 | %@ |", 100 * m.labelAccuracy,
                            ok(m.labelAccuracy > 0.7 && m.labelAccuracy >= m.majorityBaseline + 0.1)),
                     String(format: "| always-KEEP baseline | %.1f%% | | |", 100 * m.majorityBaseline),
                     String(format: "| macro-F1 | %.3f | > 0.6 | %@ |", m.macroF1, ok(m.macroF1 > 0.6)),
                     String(format: "| duration error | %.1f%% | < 10%% | %@ |", 100 * m.durationError, ok(m.durationError < 0.1)),
                     String(format: "| KEEP-ratio error | %.1f%% | | |", 100 * m.keepRatioError),
                     String(format: "| label change rate | %.3f | | |", m.changeRate),
                     String(format: "| per-beat accuracy | %.1f%% (%d beats) | | |", 100 * m.beatAccuracy, m.beats),
                     String(format: "| per-beat always-KEEP | %.1f%% | | |", 100 * m.beatMajorityBaseline),
                     String(format: "| per-beat macro-F1 | %.3f | | |", m.beatMacroF1),
                     String(format: "| duration error of the beat decisions | %.1f%% | | |", 100 * m.beatDurationError),
                     "", "| label | precision | recall | F1 | frames | beat precision | beat recall | beat F1 | beats |",
                     "|---|---|---|---|---|---|---|---|---|"]
        for l in EditLabel.actions {
            if let s = m.perClass[l.name], let b = m.beatPerClass[l.name] {
                lines.append(String(format: "| %@ | %.3f | %.3f | %.3f | %d | %.3f | %.3f | %.3f | %d |", l.name, s.precision, s.recall,
                                    s.f1, s.support, b.precision, b.recall, b.f1, b.support))
            }
        }
        return lines.joined(separator: "\n")
    }
}
