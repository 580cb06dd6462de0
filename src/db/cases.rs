//! One respondent's case.

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::referrals::parse_state;
use crate::domain::{CaseState, Dnr};

#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub id: Uuid,
    pub referral_id: Uuid,
    pub referral_title: String,
    pub sender_name: String,
    pub sender_dnr: String,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
    pub secret: bool,
    pub organ_id: Uuid,
    pub organ_name: String,
    pub administration: String,
    pub dnr: Dnr,
    pub state: CaseState,
    pub officer_name: Option<String>,
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<CaseDetail>> {
    let row = sqlx::query!(
        r#"SELECT c.id, c.referral_id, r.title AS referral_title, r.sender_name, r.sender_dnr,
                  r.received_on, r.deadline, r.secret, c.organ_id, o.name AS organ_name, o.administration,
                  c.dnr_prefix, c.dnr_year, c.dnr_seq, c.state, u.display_name AS "officer_name?"
           FROM cases c
           JOIN referrals r ON r.id = c.referral_id
           JOIN organs o ON o.id = c.organ_id
           LEFT JOIN users u ON u.id = c.assigned_officer_id
           WHERE c.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| CaseDetail {
        id: row.id,
        referral_id: row.referral_id,
        referral_title: row.referral_title,
        sender_name: row.sender_name,
        sender_dnr: row.sender_dnr,
        received_on: row.received_on,
        deadline: row.deadline,
        secret: row.secret,
        organ_id: row.organ_id,
        organ_name: row.organ_name,
        administration: row.administration,
        dnr: Dnr {
            prefix: row.dnr_prefix,
            year: row.dnr_year,
            seq: row.dnr_seq,
        },
        state: parse_state(&row.state),
        officer_name: row.officer_name,
    }))
}
