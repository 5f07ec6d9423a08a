//! The district as reference data: its ten towns and streets (镇、街道), the
//! development zone, the departments named in the four documents, and the
//! named groups with their members and dated posts (`policy/district/district.toml`).
//! Villages (村、居) are imported data and live in the store, not here.

use kernel::{Date, ParamSet};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum DistrictError {
    #[error("缺少参考数据文件 {0}")]
    Missing(&'static str),
    #[error("参考数据文件 {file} 无效: {message}")]
    Bad { file: &'static str, message: String },
}

/// A town or street (镇、街道).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Town {
    pub name: String,
    /// 镇 or 街道.
    pub kind: String,
}

/// A department or body, with the short names the documents also use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Who held which post in a group, and since when (until when, once replaced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub person: String,
    /// 组长, 副组长, 成员, 召集人, 副召集人, 办公室主任 …
    pub role: String,
    pub unit: String,
    pub post: String,
    pub from: Date,
    #[serde(default)]
    pub to: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub key: String,
    pub name: String,
    pub citation: String,
    pub established: Date,
    pub office_unit: String,
    #[serde(rename = "member")]
    pub members: Vec<Membership>,
}

impl Group {
    /// Members holding a post on `on`.
    pub fn members_on(&self, on: Date) -> impl Iterator<Item = &Membership> {
        self.members.iter().filter(move |m| m.from <= on && m.to.is_none_or(|t| on <= t))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct District {
    pub district: String,
    pub district_code: String,
    pub development_zone: String,
    #[serde(rename = "town")]
    pub towns: Vec<Town>,
    #[serde(rename = "department")]
    pub departments: Vec<Department>,
    #[serde(rename = "group")]
    pub groups: Vec<Group>,
}

impl District {
    pub const FILE: &'static str = "district/district.toml";

    pub fn load(params: &ParamSet) -> Result<District, DistrictError> {
        let text = params.file(Self::FILE).ok_or(DistrictError::Missing(Self::FILE))?;
        toml::from_str(text).map_err(|e| DistrictError::Bad { file: Self::FILE, message: e.to_string() })
    }

    pub fn is_town(&self, name: &str) -> bool {
        self.towns.iter().any(|t| t.name == name)
    }

    /// The ten towns/streets, the development zone, or the whole district:
    /// the areas a warning or report may name.
    pub fn is_area(&self, name: &str) -> bool {
        self.is_town(name) || name == self.development_zone || name == self.district
    }

    /// The department's full name for a full name or alias.
    pub fn department(&self, name: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.name == name || d.aliases.iter().any(|a| a == name))
    }

    pub fn group(&self, key: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn district() -> District {
        District::load(&ParamSet::embedded().unwrap()).unwrap()
    }

    #[test]
    fn ten_towns_and_the_zone() {
        let d = district();
        assert_eq!(d.towns.len(), 10);
        assert!(d.is_town("水泉镇") && d.is_town("山城街道"));
        assert!(!d.is_town("山亭经济开发区") && d.is_area("山亭经济开发区") && d.is_area("山亭区"));
        assert!(!d.is_area("薛城区"));
    }

    #[test]
    fn departments_resolve_aliases() {
        let d = district();
        assert_eq!(d.department("区商投局").unwrap().name, "区商务和投资促进局");
        assert_eq!(d.department("区医保局").unwrap().name, "区医疗保障局");
        assert!(d.department("区不存在局").is_none());
    }

    #[test]
    fn groups_have_the_published_members() {
        let d = district();
        let on: Date = "2023-01-01".parse().unwrap();
        let ec = d.group("ecommerce_leading_group").unwrap();
        assert_eq!(ec.members_on(on).filter(|m| m.role == "成员").count(), 22);
        assert_eq!(ec.members_on(on).filter(|m| m.role == "副组长").count(), 2);
        let ins = d.group("insurance_leading_group").unwrap();
        assert_eq!(ins.members_on(on).filter(|m| m.role == "成员").count(), 15);
        let jm = d.group("housing_fund_joint_meeting").unwrap();
        assert_eq!(jm.members_on(on).filter(|m| m.role == "成员").count(), 6);
        assert_eq!(jm.members_on(on).find(|m| m.role == "召集人").unwrap().person, "戴娟");
        // Nobody held a post before the group existed.
        assert_eq!(jm.members_on("2022-08-18".parse().unwrap()).count(), 0);
    }
}
