//! Explanations: every computed decision can say which clause produced it,
//! which facts it read, and why a rule did not apply. One type for all four
//! domains, rendered as JSON (serde) or as Chinese text.

use std::fmt::Write as _;

use serde::Serialize;

/// One fact a rule read, e.g. `网络零售额 = 6200万元`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The rule applied and produced this result.
    Applied { result: String },
    /// The rule did not apply, and why.
    NotApplied { reason: String },
    /// The rule applies but the decision belongs to a person or body (一事一议 etc.).
    Referred { to: String, reason: String },
}

/// One step: a clause, the facts it read, its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// 文号 + section/article.
    pub clause: String,
    /// Short name of the rule, e.g. `第3条 电商企业做大做强`.
    pub rule: String,
    pub facts: Vec<Fact>,
    pub outcome: Outcome,
    /// Readings (documented defaults) this step relied on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<String>,
}

impl Step {
    pub fn new(clause: impl Into<String>, rule: impl Into<String>) -> Self {
        Step {
            clause: clause.into(),
            rule: rule.into(),
            facts: Vec::new(),
            outcome: Outcome::NotApplied { reason: String::new() },
            readings: Vec::new(),
        }
    }

    pub fn fact(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.facts.push(Fact { name: name.into(), value: value.to_string() });
        self
    }

    pub fn reading(mut self, r: impl Into<String>) -> Self {
        self.readings.push(r.into());
        self
    }

    pub fn applied(mut self, result: impl Into<String>) -> Self {
        self.outcome = Outcome::Applied { result: result.into() };
        self
    }

    pub fn not_applied(mut self, reason: impl Into<String>) -> Self {
        self.outcome = Outcome::NotApplied { reason: reason.into() };
        self
    }

    pub fn referred(mut self, to: impl Into<String>, reason: impl Into<String>) -> Self {
        self.outcome = Outcome::Referred { to: to.into(), reason: reason.into() };
        self
    }

    /// One line of Chinese text.
    pub fn text(&self) -> String {
        let mut s = format!("【{}】{}", self.clause, self.rule);
        if !self.facts.is_empty() {
            s.push_str("；依据：");
            let facts: Vec<String> = self.facts.iter().map(|f| format!("{}={}", f.name, f.value)).collect();
            s.push_str(&facts.join("，"));
        }
        match &self.outcome {
            Outcome::Applied { result } => {
                let _ = write!(s, "；结果：{result}");
            }
            Outcome::NotApplied { reason } => {
                let _ = write!(s, "；不适用：{reason}");
            }
            Outcome::Referred { to, reason } => {
                let _ = write!(s, "；提交{to}决定：{reason}");
            }
        }
        for r in &self.readings {
            let _ = write!(s, "（采用解读：{r}）");
        }
        s
    }
}

/// The trace of one computation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub steps: Vec<Step>,
}

impl Explanation {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    /// Chinese text, one line per step.
    pub fn text(&self) -> String {
        self.lines().join("\n")
    }

    pub fn lines(&self) -> Vec<String> {
        self.steps.iter().map(Step::text).collect()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_text_and_json() {
        let mut e = Explanation::new();
        e.push(Step::new("山政发〔2022〕10号 附件4 第3条", "电商企业做大做强").fact("网络零售额", "6200万元").applied("第2档，36万元"));
        e.push(Step::new("山政发〔2022〕10号 附件4 第1条", "电子商务产业园区建设").not_applied("不是园区运营单位"));
        e.push(Step::new("山政发〔2022〕10号 附件4 第5条", "直播平台总部").referred("区政府", "一事一议").reading("任一数字"));
        let t = e.text();
        assert!(t.contains("【山政发〔2022〕10号 附件4 第3条】电商企业做大做强；依据：网络零售额=6200万元；结果：第2档，36万元"), "{t}");
        assert!(t.contains("不适用：不是园区运营单位"));
        assert!(t.contains("提交区政府决定：一事一议（采用解读：任一数字）"));
        let j = e.to_json();
        assert_eq!(j["steps"][0]["outcome"]["kind"], "applied");
        assert_eq!(j["steps"][1]["outcome"]["reason"], "不是园区运营单位");
    }
}
