//! A synthetic but plausible district population in the roster input format:
//! valid ID numbers, the towns and their villages, an age pyramid, group
//! shares and tier choices. Deterministic for a seed; pure (the caller
//! writes the bytes). Used by `shanting demo residents` and the demo server.
//!
//! The shares are demographic assumptions for demonstration, not figures
//! from the documents; the tiers come from the year's [`Rules`].

use kernel::{Date, ResidentId};

use crate::groups::{Group, Groups};
use crate::rules::Rules;

/// splitmix64: tiny, fast and good enough for demo data.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// True with probability `per_10000 / 10000`.
    pub fn chance(&mut self, per_10000: u64) -> bool {
        self.below(10_000) < per_10000
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Index by integer weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }
}

const SURNAMES: [&str; 60] = [
    "王", "李", "张", "刘", "孙", "褚", "孔", "邵", "杨", "赵", "黄", "周", "吴", "徐", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
    "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁", "邓", "许", "傅", "沈", "彭", "吕", "苏", "卢", "蒋", "蔡",
    "贾", "丁", "魏", "薛", "叶", "阎", "潘", "杜", "戴", "夏", "田", "任", "姜", "范", "石", "颜",
];
/// The most common surnames, drawn more often.
const COMMON: usize = 12;
const MALE: [&str; 40] = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "斌", "宇", "浩", "凯", "健",
    "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳", "建", "国", "庆", "福", "德", "成", "志", "文", "海", "峰",
];
const FEMALE: [&str; 40] = [
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "桂", "英", "红", "梅", "兰", "秀", "萍", "洁", "婷", "雪", "慧", "琳",
    "倩", "颖", "欣", "悦", "晶", "莉", "凤", "月", "春", "华", "彩", "云", "翠", "珍", "玉", "荣", "素", "菊",
];
const VILLAGE_PREFIX: [&str; 24] = [
    "东", "西", "南", "北", "上", "下", "前", "后", "大", "小", "石", "龙", "凤", "桃", "杏", "柿", "青", "白", "黄", "红", "双", "三",
    "半", "新",
];
const VILLAGE_SUFFIX: [&str; 12] = ["庄村", "家村", "峪村", "山村", "沟村", "楼村", "湖村", "河村", "岭村", "店村", "屯村", "集村"];
const COMMUNITY_SUFFIX: [&str; 4] = ["社区", "居委会", "新村社区", "花园社区"];

/// Persons per 5-year age band, 0–4 … 100–104 (a rural Shandong shape:
/// large 1960s–70s cohorts, fewer births lately).
const AGE_BANDS: [u32; 21] = [42, 52, 60, 55, 50, 56, 75, 70, 66, 76, 86, 82, 62, 60, 45, 30, 19, 10, 4, 1, 0];

/// Area codes of non-local residence-permit holders (Zaozhuang's other
/// districts and a few neighbouring provinces).
const OTHER_AREAS: [&str; 8] = ["370402", "370403", "370404", "370405", "370481", "320322", "410526", "341321"];
const SHANTING: &str = "370406";

#[derive(Debug, Clone)]
struct Town {
    name: String,
    villages: Vec<String>,
    weight: u32,
}

/// One generated resident, in input terms.
#[derive(Debug, Clone)]
pub struct DemoResident {
    pub id: [u8; 18],
    pub name: String,
    pub town: usize,
    pub village: usize,
    pub hukou_in_district: bool,
    pub residence_permit: bool,
    pub employee_insurance: bool,
    pub student: bool,
    pub receiving_pension: bool,
    pub groups: Groups,
    pub disability_grade: Option<u8>,
    /// Whole yuan.
    pub pension_tier: Option<i64>,
    /// Whole yuan.
    pub sponsored: Option<i64>,
    pub deceased_on: Option<Date>,
}

/// The generator.
#[derive(Debug, Clone)]
pub struct DemoPopulation {
    rng: SplitMix64,
    as_of: Date,
    towns: Vec<Town>,
    town_weights: Vec<u32>,
    /// Persons already given each birth date, to keep ID numbers unique.
    per_day: Vec<u16>,
    tiers: Vec<i64>,
    hardship_tier: i64,
    hardship: Groups,
    severe_grades: Vec<u8>,
    pension_min_age: i32,
}

fn day_index(d: Date) -> Option<usize> {
    let y = usize::try_from(i32::from(d.year()) - 1880).ok()?;
    Some(y * 372 + (d.month() as usize - 1) * 31 + (d.day() as usize - 1))
}

impl DemoPopulation {
    /// `towns`: the district's towns and streets (a name ending in 街道 gets communities).
    pub fn new(seed: u64, as_of: Date, towns: &[String], rules: &Rules) -> DemoPopulation {
        let mut built = Vec::with_capacity(towns.len());
        for (i, name) in towns.iter().enumerate() {
            // Villages depend on the seed and the town only.
            let mut r = SplitMix64::new(seed ^ (0xA5A5_0000 + i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
            let street = name.ends_with("街道");
            let n = if street { 18 + r.below(10) } else { 22 + r.below(24) } as usize;
            let mut villages: Vec<String> = Vec::with_capacity(n);
            while villages.len() < n {
                let v = if street {
                    format!("{}{}{}", r.pick(&VILLAGE_PREFIX), r.pick(&SURNAMES), r.pick(&COMMUNITY_SUFFIX))
                } else if r.chance(5_000) {
                    format!("{}{}", r.pick(&SURNAMES), r.pick(&VILLAGE_SUFFIX))
                } else {
                    format!("{}{}{}", r.pick(&VILLAGE_PREFIX), r.pick(&SURNAMES), r.pick(&VILLAGE_SUFFIX))
                };
                if !villages.contains(&v) {
                    villages.push(v);
                }
            }
            let weight = if street { 180 } else { 70 + r.below(40) as u32 };
            built.push(Town { name: name.clone(), villages, weight });
        }
        let town_weights = built.iter().map(|t| t.weight).collect();
        DemoPopulation {
            rng: SplitMix64::new(seed),
            as_of,
            towns: built,
            town_weights,
            per_day: vec![0; 160 * 372],
            tiers: rules.tiers.iter().map(|t| t.fen() / 100).collect(),
            hardship_tier: rules.hardship_tier.fen() / 100,
            hardship: rules.hardship_groups,
            severe_grades: (1..=4).filter(|g| rules.is_severe(*g)).collect(),
            pension_min_age: rules.pension_min_age,
        }
    }

    pub fn town_name(&self, i: usize) -> &str {
        &self.towns[i].name
    }

    pub fn village_name(&self, town: usize, i: usize) -> &str {
        &self.towns[town].villages[i]
    }

    /// Every town with its villages.
    pub fn villages(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.towns.iter().map(|t| (t.name.as_str(), t.villages.as_slice()))
    }

    fn birth(&mut self, age: i32) -> Date {
        let on = self.as_of;
        let hi = on.checked_sub(jiff::Span::new().years(age)).unwrap_or(on);
        let back = self.rng.below(365) as i64;
        hi.checked_sub(jiff::Span::new().days(back)).unwrap_or(hi)
    }

    /// Next resident.
    pub fn next_resident(&mut self) -> DemoResident {
        let rng = &mut self.rng;
        let band = rng.weighted(&AGE_BANDS);
        let mut age = (band * 5) as i32 + rng.below(5) as i32;
        let local = !rng.chance(150);
        let permit = !local && rng.chance(8_000);
        // Unique ID: a per-birth-date counter drawn through a permutation of 0..999.
        let (birth, seq) = loop {
            let b = self.birth(age);
            if let Some(ix) = day_index(b).filter(|&i| i < self.per_day.len())
                && self.per_day[ix] < 1000
            {
                let c = u64::from(self.per_day[ix]);
                self.per_day[ix] += 1;
                break (b, (c * 389 + 17) % 1000);
            }
            age = (age + 1) % 100;
        };
        let rng = &mut self.rng;
        let area = if local { SHANTING } else { rng.pick(&OTHER_AREAS) };
        let mut id = [b'0'; 18];
        let body = format!("{area}{:04}{:02}{:02}{seq:03}", birth.year(), birth.month(), birth.day());
        id[..17].copy_from_slice(body.as_bytes());
        id[17] = ResidentId::check_char(&body).map(|c| c as u8).unwrap_or(b'0');
        let male = seq % 2 == 1;

        let surname = if rng.chance(5_500) { SURNAMES[rng.below(COMMON as u64) as usize] } else { *rng.pick(&SURNAMES) };
        let given: &[&str] = if male { &MALE } else { &FEMALE };
        let mut name = String::with_capacity(9);
        name.push_str(surname);
        name.push_str(rng.pick::<&str>(given));
        if rng.chance(7_000) {
            name.push_str(rng.pick::<&str>(given));
        }

        let town = rng.weighted(&self.town_weights);
        let village = rng.below(self.towns[town].villages.len() as u64) as usize;

        let old = age >= 60;
        let employee_insurance = (18..65).contains(&age) && rng.chance(700);
        let student = match age {
            6..=15 => rng.chance(9_800),
            16..=18 => rng.chance(8_500),
            19..=22 => rng.chance(4_500),
            _ => false,
        };
        let receiving_pension = old && rng.chance(8_800);

        let mut groups = Groups::EMPTY;
        let mut grade = None;
        if rng.chance(if old { 1_100 } else { 450 }) {
            let g = [1u8, 2, 3, 4][rng.weighted(&[12, 18, 30, 40])];
            grade = Some(g);
            if rng.chance(8_500) {
                groups.insert(Group::Disabled);
            }
        }
        for (g, young, elderly) in [
            (Group::Dibao, 220, 550),
            (Group::Tekun, 15, 160),
            (Group::Wubao, 2, 60),
            (Group::Youfu, 30, 90),
            (Group::PovertyRelief, 130, 200),
            (Group::RelapsedPoverty, 20, 25),
            (Group::DibaoMarginal, 70, 100),
            (Group::Monitored, 50, 70),
        ] {
            if rng.chance(if old { elderly } else { young }) {
                groups.insert(g);
            }
        }

        let hardship = groups.intersects(self.hardship) || grade.is_some();
        let severe = grade.is_some_and(|g| self.severe_grades.contains(&g));
        let pays_pension = age >= self.pension_min_age && !student && !receiving_pension && !severe && !employee_insurance;
        let pension_tier = if !pays_pension || rng.chance(1_200) {
            None
        } else if hardship && rng.chance(7_500) {
            Some(self.hardship_tier)
        } else {
            // Mostly the low tiers; never the hardship-only tier here.
            let open: Vec<i64> = self.tiers.iter().copied().filter(|&t| t != self.hardship_tier).collect();
            let weights: Vec<u32> = (0..open.len()).map(|i| [480, 280, 60, 50, 45, 25, 20, 10, 10, 5, 5][i.min(10)]).collect();
            Some(open[rng.weighted(&weights)])
        };
        let sponsored = (!old && !groups.intersects(Groups::EMPTY.with(Group::Dibao).with(Group::Tekun)) && rng.chance(150))
            .then(|| *rng.pick(&[100i64, 175, 200, 350]));
        let deceased_on = (age >= 70 && rng.chance(120)).then(|| {
            let back = rng.below(300) as i64 - 60;
            self.as_of.checked_sub(jiff::Span::new().days(back)).unwrap_or(self.as_of)
        });

        DemoResident {
            id,
            name,
            town,
            village,
            hukou_in_district: local,
            residence_permit: permit,
            employee_insurance,
            student,
            receiving_pension,
            groups,
            disability_grade: grade,
            pension_tier,
            sponsored,
            deceased_on,
        }
    }

    /// One CSV line in the roster input format (no field needs quoting).
    pub fn write_csv_line(&self, r: &DemoResident, out: &mut Vec<u8>) {
        use std::io::Write as _;
        let b = |v: bool| if v { "1" } else { "0" };
        out.extend_from_slice(&r.id);
        let _ = write!(
            out,
            ",{},{},{},{},{},{},{},{},{},",
            r.name,
            self.towns[r.town].name,
            self.towns[r.town].villages[r.village],
            b(r.hukou_in_district),
            b(r.residence_permit),
            b(r.employee_insurance),
            b(r.student),
            b(r.receiving_pension),
            r.groups
        );
        if let Some(g) = r.disability_grade {
            out.push(b'0' + g);
        }
        out.push(b',');
        if let Some(t) = r.pension_tier {
            let _ = write!(out, "{t}");
        }
        out.push(b',');
        if let Some(s) = r.sponsored {
            let _ = write!(out, "{s}");
        }
        out.push(b',');
        if let Some(d) = r.deceased_on {
            let _ = write!(out, "{d}");
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{compute, parse_row};

    fn towns() -> Vec<String> {
        ["山城街道", "西集镇", "桑村镇", "城头镇", "冯卯镇", "店子镇", "水泉镇", "徐庄镇", "北庄镇", "凫城镇"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn deterministic_valid_and_plausible() {
        let params = kernel::ParamSet::embedded().unwrap();
        let rules = Rules::load(&params, 2023).unwrap();
        let as_of = rules.default_as_of;
        let mut a = DemoPopulation::new(7, as_of, &towns(), &rules);
        let mut b = DemoPopulation::new(7, as_of, &towns(), &rules);
        let mut ids = std::collections::HashSet::new();
        let (mut old, mut dibao, mut disabled, mut included) = (0, 0, 0, 0);
        let n = 20_000;
        for _ in 0..n {
            let (ra, rb) = (a.next_resident(), b.next_resident());
            let (mut la, mut lb) = (Vec::new(), Vec::new());
            a.write_csv_line(&ra, &mut la);
            b.write_csv_line(&rb, &mut lb);
            assert_eq!(la, lb);
            let line = std::str::from_utf8(&la).unwrap().trim_end();
            let fields: Vec<&[u8]> = line.split(',').map(str::as_bytes).collect();
            let r = parse_row(&fields).unwrap_or_else(|e| panic!("{line}: {e}"));
            rules.check(&r, as_of).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert!(ids.insert(r.id.to_string()), "duplicate {}", r.id);
            let c = compute(&rules, &r, as_of);
            old += i32::from(c.age >= 60);
            dibao += i32::from(r.groups.contains(Group::Dibao));
            disabled += i32::from(r.disability_grade.is_some());
            included += i32::from(c.is_included());
        }
        // Shares within broad plausible ranges.
        assert!((n / 6..n / 3).contains(&old), "60+: {old}");
        assert!((n / 100..n / 20).contains(&dibao), "低保: {dibao}");
        assert!((n / 40..n / 10).contains(&disabled), "disabled: {disabled}");
        assert!(included > n * 85 / 100, "included: {included}");
        // A different seed, a different population.
        let mut c = DemoPopulation::new(8, as_of, &towns(), &rules);
        assert_ne!(c.next_resident().id, DemoPopulation::new(7, as_of, &towns(), &rules).next_resident().id);
    }
}
