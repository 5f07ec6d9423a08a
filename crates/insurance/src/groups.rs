//! The nine special and hardship groups (特殊群体、困难群体) a resident may
//! belong to, kept as a bitset so that the hot path never compares strings.

use std::fmt;

/// One group, by its Chinese name as the input lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Group {
    /// 残疾
    Disabled = 0,
    /// 五保
    Wubao = 1,
    /// 低保 (城乡最低生活保障对象)
    Dibao = 2,
    /// 优抚
    Youfu = 3,
    /// 扶贫
    PovertyRelief = 4,
    /// 特困 (特困人员)
    Tekun = 5,
    /// 返贫致贫 (返贫致贫人口)
    RelapsedPoverty = 6,
    /// 低保边缘 (低保边缘家庭成员)
    DibaoMarginal = 7,
    /// 监测帮扶 (防止返贫监测帮扶对象)
    Monitored = 8,
}

impl Group {
    pub const ALL: [Group; 9] = [
        Group::Disabled,
        Group::Wubao,
        Group::Dibao,
        Group::Youfu,
        Group::PovertyRelief,
        Group::Tekun,
        Group::RelapsedPoverty,
        Group::DibaoMarginal,
        Group::Monitored,
    ];

    /// The name used in input files, parameters and rosters.
    pub const fn name(self) -> &'static str {
        match self {
            Group::Disabled => "残疾",
            Group::Wubao => "五保",
            Group::Dibao => "低保",
            Group::Youfu => "优抚",
            Group::PovertyRelief => "扶贫",
            Group::Tekun => "特困",
            Group::RelapsedPoverty => "返贫致贫",
            Group::DibaoMarginal => "低保边缘",
            Group::Monitored => "监测帮扶",
        }
    }

    pub fn from_name(s: &str) -> Option<Group> {
        Self::from_bytes(s.trim().as_bytes())
    }

    fn from_bytes(b: &[u8]) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.name().as_bytes() == b)
    }
}

/// A set of groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Groups(u16);

impl Groups {
    pub const EMPTY: Groups = Groups(0);

    pub const fn contains(self, g: Group) -> bool {
        self.0 & (1 << g as u8) != 0
    }

    pub const fn with(self, g: Group) -> Groups {
        Groups(self.0 | (1 << g as u8))
    }

    pub fn insert(&mut self, g: Group) {
        self.0 |= 1 << g as u8;
    }

    pub const fn intersects(self, o: Groups) -> bool {
        self.0 & o.0 != 0
    }

    pub const fn intersection(self, o: Groups) -> Groups {
        Groups(self.0 & o.0)
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Group> {
        Group::ALL.into_iter().filter(move |g| self.contains(*g))
    }

    /// Parse the `|`-separated input form; an empty cell is no group. The
    /// error carries the unknown name.
    pub fn parse(cell: &[u8]) -> Result<Groups, String> {
        let mut set = Groups::EMPTY;
        for part in cell.split(|&b| b == b'|') {
            let part = part.trim_ascii();
            if part.is_empty() {
                continue;
            }
            match Group::from_bytes(part) {
                Some(g) => set.insert(g),
                None => return Err(String::from_utf8_lossy(part).into_owned()),
            }
        }
        Ok(set)
    }

    /// Names from a parameter list; unknown names are reported.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Groups, String> {
        let mut set = Groups::EMPTY;
        for n in names {
            set.insert(Group::from_name(n.as_ref()).ok_or_else(|| n.as_ref().to_string())?);
        }
        Ok(set)
    }
}

/// The input form: names joined by `|`, in the fixed order.
impl fmt::Display for Groups {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, g) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            f.write_str(g.name())?;
        }
        Ok(())
    }
}

impl FromIterator<Group> for Groups {
    fn from_iter<I: IntoIterator<Item = Group>>(iter: I) -> Self {
        let mut s = Groups::EMPTY;
        for g in iter {
            s.insert(g);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_input_form() {
        let g = Groups::parse("低保| 残疾 ||监测帮扶".as_bytes()).unwrap();
        assert!(g.contains(Group::Dibao) && g.contains(Group::Disabled) && g.contains(Group::Monitored));
        assert!(!g.contains(Group::Tekun));
        assert_eq!(g.to_string(), "残疾|低保|监测帮扶");
        assert_eq!(Groups::parse(b"").unwrap(), Groups::EMPTY);
        assert_eq!(Groups::parse("低保|贫困".as_bytes()).unwrap_err(), "贫困");
        // 低保 is a prefix of 低保边缘: whole names only.
        let e = Groups::parse("低保边缘".as_bytes()).unwrap();
        assert!(e.contains(Group::DibaoMarginal) && !e.contains(Group::Dibao));
    }
}
