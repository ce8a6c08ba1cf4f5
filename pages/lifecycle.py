"""Lifecycle KPIs (placeholder while the page is built; replaced in the same change set)."""

import streamlit as st

st.title("Lifecycle KPIs")
st.info("This page is being built.")
