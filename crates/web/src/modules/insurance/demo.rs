//! Demo data: a population from the engine's generator, payments, a publication.

use super::*;

/// Demo: a population of about 20,000 from the engine's generator across the
/// ten towns, mapped onto the demo villages; payments part-way through the
/// window; the 水泉镇 东村 roster published; bulk payments on behalf in 水泉镇.
pub async fn seed_demo(state: &AppState) -> Result<(), AppError> {
    if state.store.insurance_resident_count().await? > 0 {
        return Ok(());
    }
    let rules = imports::current_rules(&state.params)?;
    let as_of = rules.default_as_of;
    let towns: Vec<String> = state.district.towns.iter().map(|t| t.name.clone()).collect();
    let mut pop = insurance::demo::DemoPopulation::new(20_221_001, as_of, &towns, &rules);
    let villages = store::demo::DEMO_VILLAGE_NAMES;
    let mut rows = Vec::with_capacity(DEMO_RESIDENTS);
    let mut line = Vec::new();
    for _ in 0..DEMO_RESIDENTS {
        let d = pop.next_resident();
        line.clear();
        pop.write_csv_line(&d, &mut line);
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        let mut fields: Vec<&str> = text.split(',').collect();
        // The generator's own village names are replaced by the demo villages.
        fields[3] = villages[d.village % villages.len()];
        let Ok(r) = insurance::parse_row_str(&fields) else { continue };
        if rules.check(&r, as_of).is_err() {
            continue;
        }
        rows.push(imports::row_of(&rules, as_of, &r, insurance::Groups::EMPTY, "演示数据"));
    }
    let t0 = std::time::Instant::now();
    state.store.insurance_insert_residents("demo", &rows).await?;
    tracing::info!(residents = rows.len(), ms = t0.elapsed().as_millis() as u64, "insurance demo residents");
    // Read back with ids; pay for about 45% of those owing something, dated
    // across the first weeks of the window.
    let dues = state.store.insurance_dues(i64::from(rules.year)).await?;
    let mut rng = insurance::demo::SplitMix64::new(7);
    let start = rules.window.collection_start;
    let mut payments = Vec::new();
    for (id, town, village, due) in dues {
        if !rng.chance(4_500) {
            continue;
        }
        let day = start.checked_add(jiff::Span::new().days(rng.below(43) as i64)).unwrap_or(start);
        let channel = Channel::ALL[rng.below(Channel::ALL.len() as u64) as usize];
        let agent = format!("{town}{village}代办员");
        payments.push((
            agent,
            NewPayment {
                reference: format!("DEMO-{}-{id:06}", rules.year),
                resident_id: id,
                year: i64::from(rules.year),
                kind: PaymentKind::Individual,
                amount_fen: due,
                channel,
                paid_on: day.to_string(),
                note: String::new(),
            },
        ));
    }
    // The demo agent's own village: recorded by the `agent` account.
    let (agent_pay, other): (Vec<_>, Vec<_>) = payments.into_iter().partition(|(a, _)| a == "水泉镇东村代办员");
    state.store.insurance_seed_payments("agent", &agent_pay.into_iter().map(|x| x.1).collect::<Vec<_>>()).await?;
    state.store.insurance_seed_payments("demo", &other.into_iter().map(|x| x.1).collect::<Vec<_>>()).await?;
    state.store.insurance_publish("town", i64::from(rules.year), "水泉镇", "东村").await?;
    tracing::info!(ms = t0.elapsed().as_millis() as u64, "insurance demo seeded");
    Ok(())
}

/// Residents in the demo population.
pub const DEMO_RESIDENTS: usize = 20_000;
